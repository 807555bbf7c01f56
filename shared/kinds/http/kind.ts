// The http check kind: what it checks (rule), who runs it (check-pods), how it may heal, and what its results carry.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { httpRule } from './rule.ts';
import { checkHttpPod, planHttp } from './targets.ts';

export const httpKind = defineKind({
  name: 'http',
  fn: 'check-pods',
  rule: httpRule,
  defaultActions: ['restart', 'alert'],
  allowedActions: ['restart', 'scale', 'rollout-restart', 'alert'],
  podRule: true,
  probeFields: {
    status: z.number().int().optional(),
    slow: z.boolean().optional(),
  },
  plan: planHttp,
  checkPod: async (rule, pod, deps) => checkHttpPod(rule, pod, deps),
});
