// How an action on the cluster ended: done, not now (retry on a later event), or failed (transient or final).
import { apiMessage, apiStatus } from '../kubernetes/client.ts';

export type ActionOutcome =
  | { kind: 'performed'; detail: string }
  | { kind: 'deferred'; detail: string }
  | { kind: 'failed'; transient: boolean; detail: string };

/** The API server's retryable answers (and no answer at all) are transient; other 4xx are final. */
export function failure(error: unknown, what: string): ActionOutcome {
  const status = apiStatus(error);
  const transient = status === undefined || status >= 500 || status === 429 || status === 409 || status === 408;
  return { kind: 'failed', transient, detail: `${what}: ${status === undefined ? '' : `${status} `}${apiMessage(error)}` };
}
