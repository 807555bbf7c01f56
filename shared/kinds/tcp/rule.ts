// The tcp kind's rule: a connection to each pod's port, as the kubelet's tcpSocket probe makes it.
import { z } from 'zod';
import { healing, podTarget } from '../../rules/fields.ts';

export const tcpRule = z.strictObject({
  name: z.string(),
  kind: z.literal('tcp'),
  ...healing,
  ...podTarget,
  port: z.number().int().min(1).max(65535),
  slowMs: z.number().int().min(1).optional(),
});
export type TcpRule = z.infer<typeof tcpRule>;
