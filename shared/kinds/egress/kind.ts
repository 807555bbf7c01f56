// The egress check kind: what it checks (rule), who runs it (check-egress), how it may heal, and what its results carry.
// Its targets are proxy pods by role: the healer switches the proxy Service rather than touching them.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { egressRule } from './rule.ts';
import { planEgress } from './targets.ts';

export const egressKind = defineKind({
  name: 'egress',
  fn: 'check-egress',
  rule: egressRule,
  defaultActions: ['switch-proxy'],
  allowedActions: ['switch-proxy', 'restart', 'alert'],
  podRule: false,
  probeFields: {
    url: z.string().optional(),
    status: z.number().int().optional(),
  },
  plan: planEgress,
});
