// alert: an io.selfheal.alert CloudEvent to the sink and, when configured, a JSON POST to a webhook.
import { request } from 'undici';
import type { Emitter } from '../emit/emitter.ts';
import { buildEvent, sourceFor, subjectOf } from '../events/build.ts';
import type { AlertData } from '../events/schemas.ts';
import { EventType } from '../events/types.ts';
import { defineAction } from './action.ts';
import { firingAlert, postToAlertmanager } from './alertmanager.ts';
import type { ActionOutcome } from './outcome.ts';

export interface AlertChannels {
  emitter?: Emitter | undefined;
  webhookUrl?: string | undefined;
  /** Alertmanager's base URL: alerts go to its /api/v2/alerts. */
  alertmanagerUrl?: string | undefined;
  timeoutMs: number;
}

export async function raiseAlert(channels: AlertChannels, alert: AlertData, lastError?: string): Promise<ActionOutcome> {
  const sent: string[] = [];
  if (channels.emitter) {
    const event = buildEvent(EventType.alert, alert, { source: sourceFor('healer', alert.rule), subject: subjectOf(alert.target) });
    try {
      await channels.emitter.send(event);
      sent.push('sink');
    } catch (error) {
      return { kind: 'failed', transient: true, detail: `alert not delivered to the sink: ${(error as Error).message}` };
    }
  }
  if (channels.webhookUrl) {
    try {
      const res = await request(channels.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(channels.timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode >= 300) {
        return { kind: 'failed', transient: res.statusCode >= 500 || res.statusCode === 429, detail: `alert webhook answered ${res.statusCode}` };
      }
      sent.push('webhook');
    } catch (error) {
      return { kind: 'failed', transient: true, detail: `alert webhook unreachable: ${(error as Error).message}` };
    }
  }
  if (channels.alertmanagerUrl) {
    const posted = await postToAlertmanager(channels.alertmanagerUrl, [firingAlert(alert, lastError)], channels.timeoutMs);
    if (posted.kind !== 'performed') return posted;
    sent.push('alertmanager');
  }
  return { kind: 'performed', detail: `alert raised (${sent.length ? sent.join(', ') : 'log and history only'}): ${alert.why}` };
}

export const alert = defineAction({
  name: 'alert',
  // Touches nothing in the cluster: never budgeted, never refused for a pod that is gone or not opted in.
  budgeted: false,
  replacesPod: false,
  confirmsFirst: false,
  readsPod: false,
  permissions: [],
  perform: (ctx, { rule, target, why, lastError }) =>
    raiseAlert(ctx.alerts, { rule: rule.name, target, why, severity: 'critical', at: new Date(ctx.now()).toISOString() }, lastError),
});
