// Entry point of the healer function.
import { kubernetesPreflight } from '../../shared/kubernetes/preflight.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';
import { buildHealer, healerEnvSchema } from './wiring.ts';

if (import.meta.main) {
  await runFunction({ name: 'healer', envSchema: healerEnvSchema, preflight: kubernetesPreflight, setup: (env, log, metrics) => buildHealer(env, log, { metrics }) });
}
