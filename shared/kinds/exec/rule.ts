// The exec kind's rule: a command run in each pod's container, passing when it exits 0.
import { z } from 'zod';
import { healing, podTarget } from '../../rules/fields.ts';

export const execRule = z.strictObject({
  name: z.string(),
  kind: z.literal('exec'),
  ...healing,
  ...podTarget,
  container: z.string().optional(),
  command: z.array(z.string().min(1)).min(1),
  /** Bytes of the command's output kept in the result. */
  outputLimit: z.number().int().min(0).max(4096).default(512),
});
export type ExecRule = z.infer<typeof execRule>;
