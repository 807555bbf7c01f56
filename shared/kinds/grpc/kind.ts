// The grpc check kind: what it checks (rule), who runs it (check-pods), how it may heal, and what its results carry.
import { z } from 'zod';
import { defineKind } from '../kind.ts';
import { grpcRule } from './rule.ts';
import { checkGrpcPod, planGrpc } from './targets.ts';

export const grpcKind = defineKind({
  name: 'grpc',
  fn: 'check-pods',
  rule: grpcRule,
  defaultActions: ['restart', 'alert'],
  allowedActions: ['restart', 'scale', 'alert'],
  podRule: true,
  probeFields: {
    /** The health service's answer: SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN (or a number it does not name). */
    servingStatus: z.string().optional(),
    /** The gRPC status code of a call that failed (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED...). */
    grpcCode: z.number().int().optional(),
    slow: z.boolean().optional(),
  },
  plan: planGrpc,
  checkPod: checkGrpcPod,
});
