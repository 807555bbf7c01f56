// Parses operator-facing durations ("90s", "5m", "1h30m", or a number of seconds) into milliseconds.
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
  return Math.round(total);
}

/** A duration field: a string like "5m" or a number of seconds, parsed to milliseconds. */
export const durationMs = z.union([z.string(), z.number().nonnegative()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? Math.round(value * 1_000) : parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(value)} (use e.g. "30s", "5m", "1h")` });
    return z.NEVER;
  }
  return ms;
});
