// Whether an event seen before is decided again, and whether its result was already counted. No I/O.
import type { Snapshot } from '../store/history-store.ts';

/**
 * 'new': never seen. 'again': its action failed transiently ('retry'), or it ran under a lease that is gone (a
 * crash before its outcome was recorded): decide again without counting its result twice. 'busy': that lease is
 * still held, so the action may still be running: the caller answers 503 and the Broker comes back later.
 * ('done' events never get here: they are answered as duplicates.)
 */
export function redelivery(dedupe: Snapshot<object>['dedupe'], holder: { pendingToken: string; pendingUntil: number }, now: number): 'new' | 'again' | 'busy' {
  if (dedupe === 'retry') return 'again';
  if (typeof dedupe !== 'object') return 'new';
  if (holder.pendingToken === dedupe.pending && holder.pendingUntil > now) return 'busy';
  return 'again';
}
