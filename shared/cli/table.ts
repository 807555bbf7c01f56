// Text formatting for people: aligned tables, relative times, rates. Pure; the clock is passed in.

export const NONE = '–';

export interface Column<R> {
  header: string;
  cell: (row: R) => string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks; line breaks in cells become spaces. */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => oneLine(c.cell(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => [...line[i]!].length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - [...cell].length);
          return columns[i]!.align === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "in 4m" for the future; NONE for 0 (never happened). */
export function relativeTime(at: number, now: number): string {
  if (!Number.isFinite(at) || at <= 0) return NONE;
  const delta = now - at;
  const s = Math.round(Math.abs(delta) / 1000);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86_400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** An instant to the second, UTC: "2026-11-23 12:00:03Z"; NONE for 0. */
export function shortTime(at: number): string {
  if (!Number.isFinite(at) || at <= 0) return NONE;
  return new Date(at).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** healed / (healed + not healed) as a whole percentage, or undefined when nothing was judged yet. */
export function successRate(healed: number, notHealed: number): number | undefined {
  const judged = healed + notHealed;
  return judged > 0 ? healed / judged : undefined;
}

export function percent(rate: number | undefined): string {
  return rate === undefined ? NONE : `${Math.round(rate * 100)}%`;
}

/** Shortens long free text (errors, details) so one row stays one line. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function orNone(text: string | undefined): string {
  return text === undefined || text === '' ? NONE : text;
}
