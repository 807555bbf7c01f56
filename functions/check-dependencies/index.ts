// Entry of check-dependencies: on each PingSource tick, runs the dependency-style rules the catalog gives it.
import { checkFunctionParts } from '../../shared/checks/wiring.ts';
import { checkEnvSchema } from '../../shared/config/env.ts';
import { kubernetesPreflight } from '../../shared/kubernetes/preflight.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-dependencies', envSchema: checkEnvSchema, preflight: kubernetesPreflight, setup: (env, log, metrics) => checkFunctionParts('check-dependencies', env, log, { metrics }) });
}
