// The demo's timeline: what happened, when, in words a person can follow.
import type { CloudEvent } from 'cloudevents';
import { EventType } from '../../events/types.ts';

export interface Timeline {
  say(text: string): void;
  /** Prints the healer's events that arrived since the last call, one line each. */
  showNew(events: readonly CloudEvent<unknown>[]): void;
}

function describe(event: CloudEvent<unknown>): string | undefined {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const target = d.target as { namespace?: string; name?: string } | undefined;
  const where = target ? `${target.namespace}/${target.name}` : '';
  switch (event.type) {
    // In the words of the decision model: acted, deferred, failed; healed or not healed once the action is judged.
    case EventType.healPerformed:
      return `healer: ${d.reason === 'escalated' ? 'not healed, ' : ''}acted: ${String(d.action)} ${where} (${String(d.reason)}) — ${String(d.detail ?? '')}`;
    case EventType.healSkipped:
      if (d.reason === 'healed') return `healer: healed — ${where} passes after the last action`;
      return `healer: no action on ${where} (${String(d.reason)}${d.action && d.action !== 'none' ? `, would ${String(d.action)}` : ''})`;
    case EventType.healFailed:
      return `healer: failed: ${String(d.action)} on ${where} — ${String(d.detail ?? '')}`;
    case EventType.proxySwitched:
      return `healer: proxy group ${String(d.group)} ${String(d.from)} → ${String(d.to)} (${String(d.state)}, ${String(d.reason)})`;
    case EventType.alert:
      return `ALERT: ${where} — ${String(d.why)}`;
    default:
      return undefined;
  }
}

export function createTimeline(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Timeline {
  const started = performance.now();
  let seen = 0;
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  return {
    say(text) {
      write(`${stamp()} ${text}`);
    },
    showNew(events) {
      for (const event of events.slice(seen)) {
        const line = describe(event);
        if (line) write(`${stamp()}   ${line}`);
      }
      seen = events.length;
    },
  };
}
