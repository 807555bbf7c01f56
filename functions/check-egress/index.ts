// Entry of check-egress: fetches external URLs through each proxy pod of egress rules.
import { checkEnvSchema } from '../../shared/config/env.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';
import { checkEgressParts } from './parts.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-egress', envSchema: checkEnvSchema, setup: (env, log) => checkEgressParts(env, log) });
}
