// How an action on the cluster ended: done, not now (retry on a later event), or failed (transient or final).
import type { Reason } from '../healing/reasons.ts';
import { apiMessage, apiStatus } from '../kubernetes/client.ts';

/** Why an action put itself off: a PodDisruptionBudget (the default), or a rollout already replacing the pods. */
export type DeferReason = Extract<Reason, 'disruption-budget' | 'rollout-in-progress'>;
/** Why an action found it cannot help here, whatever the moment. */
export type DeclineReason = Extract<Reason, 'hpa-at-max' | 'hpa-owned-by-keda' | 'deployment-paused'>;

/** The object an action touched, as a Kubernetes Event's `regarding` names it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
}

/** Whatever its kind, an outcome may name the object it touched (or meant to): the healer records a Kubernetes
 *  Event on it. Only the action knows which one it was (a scale raises an HPA's minimum or the Deployment's count). */
export type ActionOutcome = (
  | { kind: 'performed'; detail: string }
  /** Not now: nothing done, the budget given back; a later failure tries again. */
  | { kind: 'deferred'; detail: string; reason?: DeferReason }
  /** Cannot help here (an HPA at its maximum, a paused Deployment): nothing done; as after a final failure, the
   *  cooldown applies and the next decision takes the next rung, but it is audited as a skip with its reason. */
  | { kind: 'declined'; reason: DeclineReason; detail: string }
  | { kind: 'failed'; transient: boolean; detail: string }
) & { regarding?: ObjectRef | undefined };

/** The outcome, naming the object it touched unless a deeper step named it already. */
export function about(outcome: ActionOutcome, regarding: ObjectRef): ActionOutcome {
  return outcome.regarding ? outcome : { ...outcome, regarding };
}

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

/**
 * An unanswered write's outcome, from the object read back: `seen` says what it shows and whether that is the
 * write done. Done: performed; not done: a transient failure (retried); unreadable: the read's own failure.
 */
export async function resolveByReading<T>(
  read: () => Promise<T>,
  seen: (now: T) => { done: boolean; what: string },
  it: { where: string; verb: string },
  error: unknown,
): Promise<ActionOutcome> {
  try {
    const found = seen(await read());
    if (found.done) return { kind: 'performed', detail: `no answer came, but ${found.what}` };
    return { kind: 'failed', transient: true, detail: `no answer came and ${found.what}: ${failure(error, 'retry').detail}` };
  } catch (readError) {
    return failure(readError, `no answer came, and ${it.where} cannot be read to know whether it was ${it.verb}`);
  }
}
