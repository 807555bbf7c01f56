// A pause as Redis holds it: one JSON string per scope and id, expiring with the pause; read by the healer and the CLI.
import { z } from 'zod';
import type { Pause } from '../healing/guard.ts';
import type { PauseScope } from './keys.ts';

const record = z.object({
  by: z.string(),
  reason: z.string(),
  at: z.number(),
  until: z.number(),
});

export type PauseRecord = z.infer<typeof record>;

/** The pause a stored value holds while it runs; a value that is not one (written by hand) or that ran out
 *  (Redis expires keys lazily, and a test's clock may run ahead) holds nothing. */
export function readPause(scope: PauseScope, id: string, value: unknown, now: number): (Pause & { at: number }) | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const checked = record.safeParse(parsed);
  if (!checked.success || checked.data.until <= now) return undefined;
  return { scope, id, ...checked.data };
}
