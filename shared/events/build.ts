// Builders for valid CloudEvents of the selfheal contract.
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { EventTypeName } from './types.ts';
import type { Target } from './schemas.ts';

export function subjectOf(target: Target): string {
  return `${target.namespace}/${target.kind.toLowerCase()}/${target.name}`;
}

export interface BuildOptions {
  /** Names the emitting function and rule, e.g. /selfheal/check-pods/nginx-http. */
  source: string;
  subject?: string;
  id?: string;
  time?: Date;
}

export function buildEvent<T extends object>(type: EventTypeName, data: T, opts: BuildOptions): CloudEvent<T> {
  const event = new CloudEvent<T>({
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    type,
    source: opts.source,
    time: (opts.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data,
    ...(opts.subject === undefined ? {} : { subject: opts.subject }),
  });
  event.validate();
  return event;
}

export function sourceFor(fn: string, rule?: string): string {
  return rule === undefined ? `/selfheal/${fn}` : `/selfheal/${fn}/${rule}`;
}
