// check-egress' parts: the shared check function, planned for egress rules.
import { checkParts } from '../../shared/checks/check-parts.ts';
import type { CheckOverrides } from '../../shared/checks/check-parts.ts';
import type { CheckEnv } from '../../shared/config/env.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';

export function checkEgressParts(env: Readonly<CheckEnv>, log: Logger, overrides?: CheckOverrides): Promise<FunctionParts> {
  return checkParts('check-egress', env, log, overrides);
}
