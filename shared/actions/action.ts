// What an action is: the properties the guard, the budget, the schema and RBAC read, and how it performs itself.
import type { Emitter } from '../emit/emitter.ts';
import type { Target } from '../events/schemas.ts';
import type { KubeClients, k8s } from '../kubernetes/client.ts';
import type { Permission } from '../kubernetes/permissions.ts';
import type { ActionOutcome } from './outcome.ts';

/** The properties of an action that decisions read; pure data, so the pure modules can be handed them. */
export interface ActionTraits {
  readonly name: string;
  /** Changes the cluster: counts against the namespace budget, and needs a Kubernetes client before it commits. */
  readonly budgeted: boolean;
  /** Replaces the pod it acts on: once done, the old pod leaves the failing sets (it will never report again). */
  readonly replacesPod: boolean;
  /** Acts on a pod that must be re-read from the API server (and pass the opt-in and rule checks) first. */
  readonly readsPod: boolean;
  /** The healer probes the pod itself (the rule's own probe) before this action; a pass cancels it. */
  readonly confirmsFirst: boolean;
  /** What it becomes while a dependency rule of its rule fails (restarting would not help), if anything else. */
  readonly whileDependencyFails?: string;
  /** What it becomes when more of a workload's pods fail together than the restart share allows, if anything else. */
  readonly whenSharedCause?: string;
  /** The Kubernetes API calls it makes, as RBAC rules the healer must be granted. */
  readonly permissions: readonly Permission[];
}

/** What an action may use; everything with I/O is handed in. */
export interface ActionContext {
  kube: () => Promise<KubeClients>;
  alerts: { emitter?: Emitter | undefined; webhookUrl?: string | undefined; alertmanagerUrl?: string | undefined; timeoutMs: number };
  now: () => number;
}

/** What to act on: the rule's own copy of the target, and what the healer re-read from the cluster. */
export interface ActionRequest {
  rule: ActionRule;
  target: Target;
  /** The pod as the API server reported it just before (for actions that read the pod). */
  pod?: k8s.V1Pod | undefined;
  /** For switch-proxy: the role to point the Service at. */
  to?: 'primary' | 'secondary' | undefined;
  /** One line on why: what an alert says. */
  why: string;
  /** The probe's last error, when known: an alert's lastError annotation. */
  lastError?: string | undefined;
}

/** The parts of a rule the actions read (each action checks what it needs is there). */
export interface ActionRule {
  name: string;
  kind: string;
  namespace: string;
  deleteFallback?: boolean;
  scale?: { replicas?: number | undefined; step: number; max: number } | undefined;
  /** The rule's pace (ms): how long a raised HPA minimum is held when the unit is not judged healed. */
  cooldown?: number;
  verifyWindow?: number;
  service?: string;
  proxies?: { primary: { selector: Record<string, string> }; secondary: { selector: Record<string, string> } };
}

/** What a lease that ran out names: the action was committed on this pod, and no outcome was recorded. */
export interface PendingOn {
  namespace: string;
  pod: string;
  /** As the decision read it; empty when it was not read. */
  uid: string;
}

export interface ActionSpec<Name extends string = string> extends ActionTraits {
  readonly name: Name;
  perform(ctx: ActionContext, request: ActionRequest): Promise<ActionOutcome>;
  /** Whether the cluster shows the action done on the pod (true), not done (false), or cannot tell (undefined;
   *  also when the action has no way to tell). Read failures throw: the caller answers 503 and tries again. */
  wasDone?(ctx: ActionContext, pending: PendingOn): Promise<{ done: boolean | undefined; detail: string }>;
}

export function defineAction<const Name extends string>(spec: ActionSpec<Name>): ActionSpec<Name> {
  return Object.freeze(spec);
}
