// Writes, ends and lists operators' pauses in Redis; each key expires with its pause, so an expired one needs no cleanup.
import type { Redis } from 'ioredis';
import type { Keys, PauseScope } from '../store/keys.ts';
import { readPause } from '../store/pause-record.ts';
import type { PauseRecord } from '../store/pause-record.ts';
import type { PauseArgs } from './pause-args.ts';
import { globEscape, pipelined, scanKeys } from './read-keys.ts';

export interface PauseRow {
  scope: PauseScope;
  id: string;
  by: string;
  reason: string;
  at: number;
  until: number;
}

/** Sets (or replaces) the pause; returns it as stored. */
export async function writePause(redis: Redis, keys: Keys, args: PauseArgs, now: number): Promise<PauseRow> {
  const record: PauseRecord = { by: args.by ?? 'unknown', reason: args.reason ?? '', at: now, until: now + (args.forMs ?? 0) };
  await redis.set(keys.pause(args.scope, args.id), JSON.stringify(record), 'PX', args.forMs ?? 0);
  return { scope: args.scope, id: args.id, ...record };
}

/** Ends the pause; false when there was none. */
export async function removePause(redis: Redis, keys: Keys, args: PauseArgs): Promise<boolean> {
  return (await redis.del(keys.pause(args.scope, args.id))) > 0;
}

const SCOPES: readonly PauseScope[] = ['namespace', 'rule', 'workload'];

/** Every pause running at `now`, by scope then id. */
export async function readPauses(redis: Redis, keys: Keys, now: number): Promise<PauseRow[]> {
  const stem = `${keys.prefix}:pause:`;
  const found = await scanKeys(redis, `${globEscape(stem)}*`);
  if (found.length === 0) return [];
  const values = await pipelined(redis, (pipe) => found.forEach((key) => pipe.get(key)));
  const rows: PauseRow[] = [];
  found.forEach((key, i) => {
    const rest = key.slice(stem.length);
    const colon = rest.indexOf(':');
    const scope = rest.slice(0, colon) as PauseScope;
    if (!SCOPES.includes(scope)) return;
    const pause = readPause(scope, rest.slice(colon + 1), values[i], now);
    if (pause) rows.push({ scope, id: pause.id, by: pause.by, reason: pause.reason, at: pause.at, until: pause.until });
  });
  return rows.sort((a, b) => SCOPES.indexOf(a.scope) - SCOPES.indexOf(b.scope) || a.id.localeCompare(b.id));
}
