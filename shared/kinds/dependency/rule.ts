// The dependency kind's rule: Services that must keep enough ready endpoints.
import { z } from 'zod';
import { dnsLabel, healing } from '../../rules/fields.ts';

export const dependencyRule = z.strictObject({
  name: z.string(),
  kind: z.literal('dependency'),
  ...healing,
  namespace: dnsLabel,
  services: z.array(dnsLabel).min(1),
  minReady: z.number().int().min(1).default(1),
});
export type DependencyRule = z.infer<typeof dependencyRule>;
