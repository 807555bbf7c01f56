// Entry of check-pods: probes pods of http, tcp and exec rules on each PingSource tick.
import { checkEnvSchema } from '../../shared/config/env.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';
import { checkPodsParts } from './parts.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-pods', envSchema: checkEnvSchema, setup: (env, log) => checkPodsParts(env, log) });
}
