// How an action on the cluster ended: done, not now (retry on a later event), or failed (transient or final).
import { apiMessage, apiStatus } from '../kubernetes/client.ts';

export type ActionOutcome =
  | { kind: 'performed'; detail: string }
  | { kind: 'deferred'; detail: string }
  | { kind: 'failed'; transient: boolean; detail: string };

/** The API server's retryable answers (and no answer at all) are transient; other 4xx are final. An action that
 *  may have happened without an answer is not classified here: its action reads the cluster first. */
export function failure(error: unknown, what: string): ActionOutcome & { kind: 'failed' } {
  const status = apiStatus(error);
  const transient = status === undefined || status >= 500 || status === 429 || status === 409 || status === 408;
  return { kind: 'failed', transient, detail: `${what}: ${status === undefined ? 'no answer: ' : `${status} `}${apiMessage(error)}` };
}

/** Whether a write may have been served although it failed: no answer came (timeout, abort, network), or the
 *  API server answered 5xx, which it also does for a request it timed out and still carried out. The object is
 *  read back then, never guessed at. */
export function unanswered(error: unknown): boolean {
  const status = apiStatus(error);
  return status === undefined || status >= 500;
}
