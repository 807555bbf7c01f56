// The tcp check kind: what it checks (rule), who runs it (check-pods), how it may heal, and what its results carry.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { tcpRule } from './rule.ts';
import { checkTcpPod, planTcp } from './targets.ts';

export const tcpKind = defineKind({
  name: 'tcp',
  fn: 'check-pods',
  rule: tcpRule,
  defaultActions: ['restart', 'alert'],
  allowedActions: ['restart', 'scale', 'rollout-restart', 'alert'],
  podRule: true,
  probeFields: {
    slow: z.boolean().optional(),
  },
  plan: planTcp,
  checkPod: async (rule, pod) => checkTcpPod(rule, pod),
});
