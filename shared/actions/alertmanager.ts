// Alertmanager API v2: an alert posted to /api/v2/alerts (labels, annotations, startsAt, endsAt), re-posted while it
// lasts and resolved by a post whose endsAt is now.
import { request } from 'undici';
import type { AlertData, Target } from '../events/schemas.ts';
import type { ActionOutcome } from './outcome.ts';

/** alertname: a proxy group whose proxies all fail, or any other alert of the healer (a ladder that reached
 *  `alert`, a dependency that fails, a shared cause). */
export const ALERT_NAMES = { proxy: 'SelfhealProxyGroupAllFailed', healing: 'SelfhealHealingFailed' } as const;

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

/** The identity of an alert in Alertmanager is its label set: the same labels for the raise and the resolve. */
export function alertLabels(rule: string, target: Target, severity: string): Record<string, string> {
  const proxy = target.kind === 'Proxy';
  const labels: Record<string, string> = {
    alertname: proxy ? ALERT_NAMES.proxy : ALERT_NAMES.healing,
    rule,
    namespace: target.namespace,
    severity,
  };
  // A proxy group is named by its egress rule; its alert is about the group, not the proxy pod that reported it.
  if (proxy) labels.group = rule;
  else labels.workload = target.workload ? `${target.workload.kind}/${target.workload.name}` : `${target.kind}/${target.name}`;
  return labels;
}

export function firingAlert(alert: AlertData, lastError: string | undefined, since?: string): AmAlert {
  return {
    labels: alertLabels(alert.rule, alert.target, alert.severity),
    annotations: { why: alert.why, lastError: lastError ?? '' },
    startsAt: since ?? alert.at,
  };
}

export function resolvedAlert(rule: string, target: Target, severity: string, since: string, now: string, why: string): AmAlert {
  return { labels: alertLabels(rule, target, severity), annotations: { why, lastError: '' }, startsAt: since, endsAt: now };
}

/** Posts alerts; a 4xx other than 429 is final, a 5xx, a 429 or no answer transient. */
export async function postToAlertmanager(baseUrl: string, alerts: AmAlert[], timeoutMs: number): Promise<ActionOutcome> {
  const url = new URL('api/v2/alerts', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    if (res.statusCode >= 300) {
      return { kind: 'failed', transient: res.statusCode >= 500 || res.statusCode === 429, detail: `Alertmanager answered ${res.statusCode}` };
    }
    return { kind: 'performed', detail: 'posted to Alertmanager' };
  } catch (error) {
    return { kind: 'failed', transient: true, detail: `Alertmanager unreachable: ${(error as Error).message}` };
  }
}
