// Entry of check-dependencies: checks that the Services of dependency rules have enough ready endpoints.
import { checkEnvSchema } from '../../shared/config/env.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';
import { checkDependenciesParts } from './parts.ts';

if (import.meta.main) {
  await runFunction({ name: 'check-dependencies', envSchema: checkEnvSchema, setup: (env, log) => checkDependenciesParts(env, log) });
}
