// The exec check kind: what it checks (rule), who runs it (check-pods), how it may heal, and what its results carry.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { execRule } from './rule.ts';
import { checkExecPod, planExec } from './targets.ts';

export const execKind = defineKind({
  name: 'exec',
  fn: 'check-pods',
  rule: execRule,
  defaultActions: ['restart', 'alert'],
  allowedActions: ['restart', 'scale', 'rollout-restart', 'alert'],
  podRule: true,
  probeFields: {
    exitCode: z.number().int().optional(),
    output: z.string().optional(),
  },
  plan: planExec,
  checkPod: async (rule, pod, deps) => checkExecPod(rule, pod, await deps.kube()),
});
