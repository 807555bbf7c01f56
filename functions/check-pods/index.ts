// Entry of check-pods: on each PingSource tick, probes the pods of the rules whose kinds the catalog gives it.
import { checkFunctionParts } from '../../shared/checks/wiring.ts';
import { checkEnvSchema } from '../../shared/config/env.ts';
import { kubernetesPreflight } from '../../shared/kubernetes/preflight.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-pods', envSchema: checkEnvSchema, preflight: kubernetesPreflight, setup: (env, log, metrics) => checkFunctionParts('check-pods', env, log, { metrics }) });
}
