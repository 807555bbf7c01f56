// Turns a check result into its CloudEvent: check.failed, .passed or .skipped, source naming function and rule.
import type { CloudEvent } from 'cloudevents';
import { buildEvent, sourceFor, subjectOf } from '../events/build.ts';
import { checkResultSchema } from '../events/schemas.ts';
import type { CheckResult } from '../events/schemas.ts';
import { EventType } from '../events/types.ts';

export function resultEvent(fn: string, result: CheckResult): CloudEvent<CheckResult> {
  // The contract is checked on the way out too: a bad result is a bug here, not something for the healer to meet.
  const data = checkResultSchema.parse(result);
  const type = { failed: EventType.checkFailed, passed: EventType.checkPassed, skipped: EventType.checkSkipped }[data.outcome];
  return buildEvent(type, data, {
    source: sourceFor(fn, data.rule),
    subject: subjectOf(data.target),
    time: new Date(data.observedAt),
  });
}
