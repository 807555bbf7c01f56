// What a check kind declares: the function that runs it, its rule schema, its actions, its probe detail and its planner.
import type { z } from 'zod';
import type { PlanDeps, PlannedCheck } from '../checks/planned-check.ts';
import type { RunningPod } from '../checks/running-pods.ts';
import type { Action } from '../rules/schema.ts';

export type CheckFunctionName = 'check-pods' | 'check-dependencies' | 'check-egress';

/** A rule as the loader hands it out: parsed, its action ladder resolved. */
export type Resolved<R> = R & { readonly actions: readonly Action[] };

/** An object schema whose `kind` is the kind's name, so that the rules union can tell the kinds apart. */
export type KindRuleSchema<Name extends string> = z.ZodObject<{ kind: z.ZodLiteral<Name> } & z.ZodRawShape, z.core.$strict>;

export interface CheckKind<
  Name extends string = string,
  Schema extends KindRuleSchema<Name> = KindRuleSchema<Name>,
  Pod extends boolean = boolean,
  Fields extends z.ZodRawShape = z.ZodRawShape,
> {
  readonly name: Name;
  /** The check function whose pings run the rules of this kind. */
  readonly fn: CheckFunctionName;
  readonly rule: Schema;
  /** The ladder of a rule that lists no actions. */
  readonly defaultActions: readonly Action[];
  readonly allowedActions: readonly Action[];
  /** Its targets are the pods of the rule's namespace and labelSelector, so the pod actions and guards apply. */
  readonly podRule: Pod;
  /** The probe-detail fields its results may carry, besides latencyMs and error, which every result has. */
  readonly probeFields: Fields;
  /** Finds the rule's targets and lays out one check for each. */
  readonly plan: (rule: Resolved<z.output<Schema>>, deps: PlanDeps) => Promise<PlannedCheck[]>;
  /** For pod kinds: the rule's probe of one pod, which the healer repeats before it restarts the pod. */
  readonly checkPod?: (rule: Resolved<z.output<Schema>>, pod: RunningPod, deps: PlanDeps) => Promise<PlannedCheck>;
}

/** Freezes a kind's declaration and keeps its literal types (name, podRule), from which the catalog derives the rest. */
export function defineKind<const Name extends string, Schema extends KindRuleSchema<Name>, const Pod extends boolean, Fields extends z.ZodRawShape>(
  kind: CheckKind<Name, Schema, Pod, Fields>,
): CheckKind<Name, Schema, Pod, Fields> {
  return Object.freeze(kind);
}
