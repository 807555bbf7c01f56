// The action names a rule's escalation ladder may list; a module of its own so that the kinds' rule schemas can use it
// while the rules schema is still being built from them.
export const ACTIONS = ['restart', 'scale', 'alert', 'switch-proxy'] as const;
export type Action = (typeof ACTIONS)[number];
