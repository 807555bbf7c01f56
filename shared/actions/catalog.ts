// The one list of actions: the rules schema, the guard, the healer and RBAC all read it from here.
import type { ActionSpec, ActionTraits } from './action.ts';
import { alert } from './alert.ts';
import { restart } from './restart.ts';
import { rolloutRestart } from './rollout-restart.ts';
import { scale } from './scale.ts';
import { switchProxy } from './switch-proxy.ts';

export const ACTION_CATALOG = [restart, scale, alert, switchProxy, rolloutRestart] as const;

export type Action = (typeof ACTION_CATALOG)[number]['name'];
// z.enum needs a non-empty tuple; the catalog is one by construction.
export const ACTIONS = ACTION_CATALOG.map((a) => a.name) as [Action, ...Action[]];

const BY_NAME: ReadonlyMap<string, ActionSpec> = new Map(ACTION_CATALOG.map((a) => [a.name, a]));

export function actionSpec(name: Action): ActionSpec {
  return BY_NAME.get(name)!;
}

/** The traits alone, as the pure decision modules take them. */
export type ActionTraitsOf = (name: Action) => ActionTraits;
export const traitsOf: ActionTraitsOf = actionSpec;
