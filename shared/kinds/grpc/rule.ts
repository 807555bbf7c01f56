// The grpc kind's rule: grpc.health.v1.Health/Check on each pod's port, as the kubelet's grpc probe calls it.
import { z } from 'zod';
import { healing, podTarget, tlsOptions } from '../../rules/fields.ts';

export const grpcRule = z.strictObject({
  name: z.string(),
  kind: z.literal('grpc'),
  ...healing,
  ...podTarget,
  port: z.number().int().min(1).max(65535),
  /** The service whose health is asked for; empty means the server as a whole, as the kubelet asks by default. */
  service: z.string().default(''),
  slowMs: z.number().int().min(1).optional(),
  /** Plaintext unless set (the kubelet only speaks plaintext); then TLS, verified as the http kind's `tls` is. */
  tls: tlsOptions.optional(),
});
export type GrpcRule = z.infer<typeof grpcRule>;
