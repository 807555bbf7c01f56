// The one list of check kinds. The kinds list, the rules union, which function runs which kind, the actions a rule
// gets and may list, and the probe-detail fields are all derived from it; adding a kind is its folder and one line here.
import type { Action } from '../rules/schema.ts';
import { dependencyKind } from './dependency/kind.ts';
import { egressKind } from './egress/kind.ts';
import { execKind } from './exec/kind.ts';
import { grpcKind } from './grpc/kind.ts';
import { httpKind } from './http/kind.ts';
import type { CheckFunctionName } from './kind.ts';
import { tcpKind } from './tcp/kind.ts';

export const KINDS = [httpKind, tcpKind, execKind, grpcKind, dependencyKind, egressKind] as const;

type Kinds = typeof KINDS;
type AnyKind = Kinds[number];
export type RuleKind = AnyKind['name'];
/** The kinds whose targets are pods of a namespace and a label selector. */
export type PodKind = Extract<AnyKind, { podRule: true }>['name'];

// Generic, so that mapping the KINDS tuple gives a tuple, position by position.
type NamesOf<T extends readonly AnyKind[]> = { readonly [I in keyof T]: T[I] extends { name: infer N } ? N : never };
type RulesOf<T extends readonly AnyKind[]> = { readonly [I in keyof T]: T[I] extends { rule: infer S } ? S : never };

// map() forgets which position holds which kind; the casts restore what KINDS says, so that zod infers per kind.
export const RULE_KINDS = KINDS.map((k) => k.name) as unknown as NamesOf<Kinds>;
export const RULE_SCHEMAS = KINDS.map((k) => k.rule) as unknown as RulesOf<Kinds>;

function byKind<T>(pick: (kind: AnyKind) => T): Readonly<Record<RuleKind, T>> {
  // fromEntries cannot know that the keys are exactly the kinds; they are, since every kind gives one.
  return Object.freeze(Object.fromEntries(KINDS.map((k) => [k.name, pick(k)])) as Record<RuleKind, T>);
}

export const KIND_OF: Readonly<Record<RuleKind, AnyKind>> = byKind((k) => k);
export const FUNCTION_OF_KIND: Readonly<Record<RuleKind, CheckFunctionName>> = byKind((k) => k.fn);
export const DEFAULT_ACTIONS: Readonly<Record<RuleKind, readonly Action[]>> = byKind((k) => k.defaultActions);
export const ALLOWED_ACTIONS: Readonly<Record<RuleKind, readonly Action[]>> = byKind((k) => k.allowedActions);
export const POD_KINDS: readonly RuleKind[] = KINDS.filter((k) => k.podRule).map((k) => k.name);

/** The kinds a check function runs, in catalog order. */
export function kindsOf(fn: CheckFunctionName): RuleKind[] {
  return KINDS.filter((k) => k.fn === fn).map((k) => k.name);
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ProbeFields = UnionToIntersection<AnyKind['probeFields']>;

// Object.assign over a list is typed loosely; the result holds every kind's fields, which is what ProbeFields says.
// Two kinds declaring one field alike merge into one; the catalog test refuses the same name with different types.
export const PROBE_FIELDS = Object.freeze(Object.assign({}, ...KINDS.map((k) => k.probeFields))) as ProbeFields;
