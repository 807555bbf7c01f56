// Renders pauses for people. Pure: rows and the instant "now" in, text out.
import type { PauseRow } from './pauses.ts';
import { formatTable, relativeTime, truncate } from './table.ts';

export function pausesTable(rows: readonly PauseRow[], now: number): string {
  return formatTable<PauseRow>(
    [
      { header: 'SCOPE', cell: (p) => p.scope },
      { header: 'WHAT', cell: (p) => p.id },
      { header: 'BY', cell: (p) => p.by },
      { header: 'SINCE', cell: (p) => relativeTime(p.at, now) },
      { header: 'UNTIL', cell: (p) => `${new Date(p.until).toISOString()} (${relativeTime(p.until, now)})` },
      { header: 'REASON', cell: (p) => truncate(p.reason, 60) },
    ],
    rows,
  );
}

/** What `selfheal pause` answers: one line saying what is paused, until when and why. */
export function pausedLine(p: PauseRow, now: number): string {
  return `paused ${p.scope} ${p.id} until ${new Date(p.until).toISOString()} (${relativeTime(p.until, now)}) by ${p.by}: ${p.reason}`;
}
