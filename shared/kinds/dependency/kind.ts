// The dependency check kind: what it checks (rule), who runs it (check-dependencies), how it may heal, and what its
// results carry. Its targets are Services, not pods: the healer can only alert about them.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { dependencyRule } from './rule.ts';
import { planDependency } from './targets.ts';

export const dependencyKind = defineKind({
  name: 'dependency',
  fn: 'check-dependencies',
  rule: dependencyRule,
  defaultActions: ['alert'],
  allowedActions: ['alert'],
  podRule: false,
  probeFields: {
    readyEndpoints: z.number().int().nonnegative().optional(),
    minReady: z.number().int().optional(),
  },
  plan: planDependency,
});
