// The egress kind's rule: external URLs fetched through a primary and a secondary proxy, and the Service switched between them.
import { z } from 'zod';
import { dnsLabel, expectedStatus, healing } from '../../rules/fields.ts';

const labelMap = z.record(z.string().min(1), z.string());

const proxy = z.strictObject({
  /** The proxy's pods, and the selector the switched Service gets while this proxy is active. */
  selector: labelMap.refine((m) => Object.keys(m).length > 0, 'must name at least one label'),
  port: z.number().int().min(1).max(65535).default(3128),
  /** Address the proxy selector hands out for this proxy. */
  url: z.url().optional(),
});

export const egressRule = z.strictObject({
  name: z.string(),
  kind: z.literal('egress'),
  ...healing,
  namespace: dnsLabel,
  /** The Service whose selector is switched between the proxies. */
  service: dnsLabel,
  proxies: z.strictObject({ primary: proxy, secondary: proxy }),
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  expectedStatus,
});
export type EgressRule = z.infer<typeof egressRule>;
