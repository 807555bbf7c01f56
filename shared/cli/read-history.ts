// Reads a history stream ({P}:history:<target id>, or the global {P}:events) newest first, and finds a target's id.
import type { Redis } from 'ioredis';
import { EMPTY_TARGET, fromHash } from '../healing/state.ts';
import type { Keys } from '../store/keys.ts';
import { matchesRef, parseId } from './ids.ts';
import type { TargetRef } from './ids.ts';

/** One stream entry; fields the healer did not write for it are null. */
export interface HistoryRow {
  /** The stream entry id (Redis time of the write). */
  id: string;
  /** The healer's clock when it decided (the entry's "at"), falling back to the stream id's time. */
  at: number;
  target: string | null;
  event: string | null;
  /** passed or failed: the check result that led to the decision (absent on the entry that records an action's end). */
  outcome: string | null;
  /** act or skip when deciding; performed, deferred or failed when an action ended. */
  decision: string | null;
  reason: string | null;
  action: string | null;
  failures: number | null;
  /** healed or not-healed when this result settled an earlier action. */
  judged: string | null;
  detail: string | null;
  /** Proxy groups only: the role of the proxy probed, and the group status the decision recorded (a switch's new status is written when it completes). */
  role: string | null;
  status: string | null;
}

const TEXT_FIELDS = ['target', 'event', 'outcome', 'decision', 'reason', 'action', 'judged', 'detail', 'role', 'status'] as const;

export function historyKey(keys: Keys, targetId: string): string {
  return `${keys.prefix}:history:${targetId}`;
}

/** Turns an XRANGE entry into a row. */
export function toHistoryRow(id: string, flat: readonly string[]): HistoryRow {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  const at = Date.parse(fields.get('at') ?? '');
  const failures = Number(fields.get('failures'));
  const row: HistoryRow = {
    id,
    at: Number.isFinite(at) ? at : Number(id.split('-')[0]),
    target: null,
    event: null,
    outcome: null,
    decision: null,
    reason: null,
    action: null,
    failures: fields.has('failures') && Number.isFinite(failures) ? failures : null,
    judged: null,
    detail: null,
    role: null,
    status: null,
  };
  for (const name of TEXT_FIELDS) row[name] = fields.get(name) ?? null;
  return row;
}

/** The run of passes a target is in now, from its record: passes that change nothing are counted there, not
 *  appended to its stream. Null while it fails, or when it never passed. */
export interface PassingRun {
  consecutivePasses: number;
  lastResultAt: number;
}

export async function readPassingRun(redis: Redis, keys: Keys, targetId: string): Promise<{ known: boolean; passing: PassingRun | null }> {
  const hash = await redis.hgetall(`${keys.prefix}:target:${targetId}`);
  const t = fromHash(EMPTY_TARGET, hash);
  const passing = t.consecutiveFailures === 0 && t.consecutivePasses > 0 ? { consecutivePasses: t.consecutivePasses, lastResultAt: t.lastResultAt } : null;
  return { known: Object.keys(hash).length > 0, passing };
}

/** How far back a filtered read looks for its `limit` rows: the global stream's own cap (10 × HISTORY_MAX_LEN). */
const FILTER_SCAN_MAX = 10_000;
const PAGE = 500;

/** The newest `limit` entries, newest first; with `keep`, the newest `limit` that it keeps, read page by page (the
 *  global stream interleaves every rule, so the last `limit` entries may hold none of one rule's). */
export async function readHistory(redis: Redis, streamKey: string, limit: number, keep?: (row: HistoryRow) => boolean): Promise<HistoryRow[]> {
  if (!keep) {
    const entries = await redis.xrevrange(streamKey, '+', '-', 'COUNT', limit);
    return entries.map(([id, flat]) => toHistoryRow(id, flat));
  }
  const rows: HistoryRow[] = [];
  let end = '+';
  for (let scanned = 0; rows.length < limit && scanned < FILTER_SCAN_MAX; ) {
    const page = await redis.xrevrange(streamKey, end, '-', 'COUNT', PAGE);
    for (const [id, flat] of page) {
      const row = toHistoryRow(id, flat);
      if (keep(row) && rows.length < limit) rows.push(row);
    }
    scanned += page.length;
    if (page.length < PAGE) break;
    // Exclusive range start: the entry before the last one read.
    end = `(${page.at(-1)![0]}`;
  }
  return rows;
}

export type Resolved = { kind: 'found'; id: string } | { kind: 'none' } | { kind: 'ambiguous'; ids: string[] };

/**
 * The target id a reference means. A full id is taken as written (its stream may outlive the index entry);
 * a namespace/kind/name path is looked up in the {P}:targets index, narrowed by rule when given.
 */
export async function resolveTarget(redis: Redis, keys: Keys, ref: TargetRef, rule?: string): Promise<Resolved> {
  if (ref.kind === 'id') return rule === undefined || ref.parsed.rule === rule ? { kind: 'found', id: ref.id } : { kind: 'none' };
  const ids = (await redis.zrange(keys.index, '0', '-1')).filter((id) => {
    const parsed = parseId(id);
    return parsed !== undefined && matchesRef(parsed, ref) && (rule === undefined || parsed.rule === rule);
  });
  if (ids.length === 0) return { kind: 'none' };
  if (ids.length === 1) return { kind: 'found', id: ids[0]! };
  return { kind: 'ambiguous', ids: ids.sort() };
}
