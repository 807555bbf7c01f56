// Entry of check-egress: on each PingSource tick, fetches external URLs through the proxies of the rules the catalog gives it.
import { checkFunctionParts } from '../../shared/checks/wiring.ts';
import { checkEnvSchema } from '../../shared/config/env.ts';
import { kubernetesPreflight } from '../../shared/kubernetes/preflight.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-egress', envSchema: checkEnvSchema, preflight: kubernetesPreflight, setup: (env, log, metrics) => checkFunctionParts('check-egress', env, log, { metrics }) });
}
