// scale under a HorizontalPodAutoscaler: raise its minReplicas (never the scale subresource, which the HPA rewrites),
// keep the original on the HPA itself, and put it back once the unit is healed or the hold has run out.
import { apiStatus } from '../kubernetes/client.ts';
import type { KubeClients, k8s } from '../kubernetes/client.ts';
import { resolveByReading, unanswered } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

/** On the HPA, not in Redis: they survive the loss of the history, and `kubectl describe hpa` shows them. */
export const ORIGINAL_MIN = 'selfheal.io/original-min-replicas';
export const RAISED_MIN = 'selfheal.io/raised-min-replicas';
export const RESTORE_AFTER = 'selfheal.io/restore-after';

/** A raise not judged healed is held this many of the rule's action cycles (the longer of cooldown and
 *  verification window): its own verification, then the next rungs', so capacity that heals late still counts. */
export const HOLD_CYCLES = 3;

/** Reads and writes before giving up on an HPA others keep changing (a 503 then retries the event). */
const MAX_WRITES = 3;

type Bounds = { replicas?: number | undefined; step: number; max: number };
type Hpa = k8s.V2HorizontalPodAutoscaler;

export function holdMs(rule: { cooldown?: number | undefined; verifyWindow?: number | undefined }): number {
  return HOLD_CYCLES * Math.max(rule.cooldown ?? 0, rule.verifyWindow ?? 0);
}

/** The HPA that scales this Deployment, if any (the first, as the HPA controller itself refuses to share one). */
export async function hpaOf(kube: KubeClients, namespace: string, deployment: string): Promise<Hpa | undefined> {
  const list = await kube.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, kube.options());
  return list.items.find((h) => {
    const ref = h.spec?.scaleTargetRef;
    return ref?.kind === 'Deployment' && ref.name === deployment && (ref.apiVersion === undefined || ref.apiVersion.startsWith('apps/'));
  });
}

const nameOf = (hpa: Hpa) => `${hpa.metadata?.namespace}/${hpa.metadata?.name}`;

/** What a raise of this HPA would write, or why there is none. Pure: the tests table it, the action performs it. */
export function planRaise(hpa: Hpa, bounds: Bounds, restoreAfter: number): { to: number; body: object } | ActionOutcome {
  const keda = hpa.metadata?.ownerReferences?.find((o) => o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/'));
  if (keda) {
    return { kind: 'declined', reason: 'hpa-owned-by-keda', detail: `HPA ${nameOf(hpa)} is owned by KEDA ScaledObject ${keda.name}, which rewrites it: not scaled here` };
  }
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? min;
  // Raising the minimum adds capacity only above what the HPA holds now.
  const base = Math.max(min, hpa.status?.currentReplicas ?? min);
  if (base >= max) return { kind: 'declined', reason: 'hpa-at-max', detail: `HPA ${nameOf(hpa)} is at its maxReplicas (${max}): more replicas are not the HPA's to give` };
  const to = Math.min(bounds.replicas ?? base + bounds.step, bounds.max, max);
  if (to <= base) return { kind: 'performed', detail: `HPA ${nameOf(hpa)} already keeps ${base} replicas (rule max ${bounds.max})` };
  const annotations = hpa.metadata?.annotations ?? {};
  // A raise already held keeps its original; one changed by hand since is the new original.
  const held = annotations[ORIGINAL_MIN] !== undefined && annotations[RAISED_MIN] === String(min);
  const original = held ? annotations[ORIGINAL_MIN]! : String(min);
  const body = {
    metadata: {
      resourceVersion: hpa.metadata?.resourceVersion,
      annotations: { [ORIGINAL_MIN]: original, [RAISED_MIN]: String(to), [RESTORE_AFTER]: new Date(restoreAfter).toISOString() },
    },
    spec: { minReplicas: to },
  };
  return { to, body };
}

function isOutcome(plan: ReturnType<typeof planRaise>): plan is ActionOutcome {
  return 'kind' in plan;
}

/** Raises the HPA's minReplicas with the resourceVersion it read; a concurrent change is re-read, never overwritten. */
export async function raiseMinReplicas(kube: KubeClients, first: Hpa, deployment: string, bounds: Bounds, restoreAfter: number): Promise<ActionOutcome> {
  const namespace = first.metadata?.namespace ?? '';
  const name = first.metadata?.name ?? '';
  let hpa = first;
  for (let write = 1; write <= MAX_WRITES; write++) {
    const plan = planRaise(hpa, bounds, restoreAfter);
    if (isOutcome(plan)) return plan;
    const from = hpa.spec?.minReplicas ?? 1;
    const original = hpa.metadata?.annotations?.[ORIGINAL_MIN] ?? String(from);
    try {
      await kube.autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body: plan.body }, kube.options('merge'));
      return { kind: 'performed', detail: `raised minReplicas of HPA ${namespace}/${name} from ${from} to ${plan.to} (it scales deployment ${namespace}/${deployment}; ${original} restored once healed)` };
    } catch (error) {
      if (unanswered(error)) return resolveUnanswered(kube, namespace, name, plan.to, error);
      if (apiStatus(error) !== 409) throw error;
    }
    hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }, kube.options());
  }
  return { kind: 'failed', transient: true, detail: `HPA ${namespace}/${name} changed under every one of ${MAX_WRITES} writes; retry` };
}

/** No answer came: the HPA as it is now says whether the raise was served. */
async function resolveUnanswered(kube: KubeClients, namespace: string, name: string, to: number, error: unknown): Promise<ActionOutcome> {
  const where = `HPA ${namespace}/${name}`;
  return resolveByReading(
    async () => (await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }, kube.options())).spec?.minReplicas ?? 1,
    (now) => ({ done: now >= to, what: now >= to ? `${where} keeps at least ${now} replicas` : `${where} still has minReplicas ${now}` }),
    { where, verb: 'raised' },
    error,
  );
}

/** What a restore writes, or nothing while the raise is held. Pure. */
export function planRestore(hpa: Hpa, when: { healed: boolean; now: number }): { body: object; detail: string } | undefined {
  const annotations = hpa.metadata?.annotations ?? {};
  const original = annotations[ORIGINAL_MIN];
  if (original === undefined) return undefined;
  // An unreadable date holds nothing: restore.
  if (!when.healed && when.now < Date.parse(annotations[RESTORE_AFTER] ?? '')) return undefined;
  const min = hpa.spec?.minReplicas ?? 1;
  const drop = { resourceVersion: hpa.metadata?.resourceVersion, annotations: { [ORIGINAL_MIN]: null, [RAISED_MIN]: null, [RESTORE_AFTER]: null } };
  if (String(min) !== annotations[RAISED_MIN]) {
    return { body: { metadata: drop }, detail: `HPA ${nameOf(hpa)} minReplicas was changed to ${min} since it was raised to ${annotations[RAISED_MIN]}: left as it is` };
  }
  const to = Math.min(Number(original) || 1, hpa.spec?.maxReplicas ?? min);
  return { body: { metadata: drop, spec: { minReplicas: to } }, detail: `restored minReplicas of HPA ${nameOf(hpa)} from ${min} to ${to}` };
}

/** Puts back the minReplicas a scale raised on this Deployment's HPA, if it is healed or the hold ran out. Returns
 *  what was done, or undefined when there was nothing to do. Failed calls throw: the caller logs them. */
export async function restoreMinReplicas(kube: KubeClients, namespace: string, deployment: string, when: { healed: boolean; now: number }): Promise<string | undefined> {
  let hpa = await hpaOf(kube, namespace, deployment);
  for (let write = 1; hpa && write <= MAX_WRITES; write++) {
    const plan = planRestore(hpa, when);
    if (!plan) return undefined;
    const name = hpa.metadata?.name ?? '';
    try {
      await kube.autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body: plan.body }, kube.options('merge'));
      return plan.detail;
    } catch (error) {
      if (apiStatus(error) !== 409) throw error;
    }
    hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }, kube.options());
  }
  return hpa ? `HPA of deployment ${namespace}/${deployment} changed under every one of ${MAX_WRITES} writes: not restored` : undefined;
}
