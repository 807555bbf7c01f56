// Entry point of the healer function.
import { runFunction } from '../../shared/runtime/run-function.ts';
import { buildHealer, healerEnvSchema } from './wiring.ts';

if (import.meta.main) {
  await runFunction({ name: 'healer', envSchema: healerEnvSchema, setup: (env, log, metrics) => buildHealer(env, log, { metrics }) });
}
