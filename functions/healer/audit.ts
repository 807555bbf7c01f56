// The healer's audit events: one per decision, acted or skipped, built from what was committed.
import type { CloudEvent } from 'cloudevents';
import { buildEvent, sourceFor, subjectOf } from '../../shared/events/build.ts';
import type { HealData, ProxySwitchedData, Target } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import type { Action } from '../../shared/rules/schema.ts';

export type HealKind = 'performed' | 'skipped' | 'failed';

const TYPE: Record<HealKind, typeof EventType.healPerformed | typeof EventType.healSkipped | typeof EventType.healFailed> = {
  performed: EventType.healPerformed,
  skipped: EventType.healSkipped,
  failed: EventType.healFailed,
};

export function healEvent(
  kind: HealKind,
  fields: { rule: string; target: Target; action: Action | 'none'; reason: string; dryRun: boolean; consecutiveFailures: number; causeId: string; detail?: string | undefined; attempt?: number; now: number },
): CloudEvent<HealData> {
  const data: HealData = {
    rule: fields.rule,
    target: fields.target,
    action: fields.action,
    reason: fields.reason,
    dryRun: fields.dryRun,
    consecutiveFailures: fields.consecutiveFailures,
    causeId: fields.causeId,
    at: new Date(fields.now).toISOString(),
    ...(fields.detail ? { detail: fields.detail } : {}),
    ...(fields.attempt !== undefined ? { attempt: fields.attempt } : {}),
  };
  return buildEvent(TYPE[kind], data, { source: sourceFor('healer', fields.rule), subject: subjectOf(fields.target), time: new Date(fields.now) });
}

export function proxySwitchedEvent(data: ProxySwitchedData): CloudEvent<ProxySwitchedData> {
  return buildEvent(EventType.proxySwitched, data, { source: sourceFor('healer', data.group), subject: `${data.namespace}/service/${data.service}`, time: new Date(data.at) });
}
