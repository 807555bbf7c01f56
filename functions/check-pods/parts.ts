// check-pods' parts: the shared check function, planned for http, tcp and exec rules.
import { checkParts } from '../../shared/checks/check-parts.ts';
import type { CheckOverrides } from '../../shared/checks/check-parts.ts';
import type { CheckEnv } from '../../shared/config/env.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';

export function checkPodsParts(env: Readonly<CheckEnv>, log: Logger, overrides?: CheckOverrides): Promise<FunctionParts> {
  return checkParts('check-pods', env, log, overrides);
}
