// check-dependencies' parts: the shared check function, planned for dependency rules.
import { checkParts } from '../../shared/checks/check-parts.ts';
import type { CheckOverrides } from '../../shared/checks/check-parts.ts';
import type { CheckEnv } from '../../shared/config/env.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';

export function checkDependenciesParts(env: Readonly<CheckEnv>, log: Logger, overrides?: CheckOverrides): Promise<FunctionParts> {
  return checkParts('check-dependencies', env, log, overrides);
}
