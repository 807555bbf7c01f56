// The http kind's rule: a request to each pod, judged on its status, its body and how fast it came.
import { z } from 'zod';
import { expectedStatus, healing, podTarget, tlsOptions } from '../../rules/fields.ts';

const bodyMatch = z.strictObject({
  regex: z
    .string()
    .refine((r) => {
      try {
        new RegExp(r);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression')
    .optional(),
  json: z
    .strictObject({
      field: z.string().min(1),
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    })
    .optional(),
});

export const httpRule = z.strictObject({
  name: z.string(),
  kind: z.literal('http'),
  ...healing,
  ...podTarget,
  scheme: z.enum(['http', 'https']).default('http'),
  port: z.number().int().min(1).max(65535),
  path: z.string().startsWith('/').default('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  expectedStatus,
  body: bodyMatch.optional(),
  slowMs: z.number().int().min(1).optional(),
  /** HTTPS to a pod IP: the name its certificate carries, or no verification at all (what the kubelet does). */
  tls: tlsOptions.optional(),
});
export type HttpRule = z.infer<typeof httpRule>;
