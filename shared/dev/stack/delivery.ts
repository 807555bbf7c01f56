// What Knative's Broker does with one delivery attempt's answer, and how long it waits before the next one.
import type { DeliverySpec } from './manifests.ts';

/** Knative retries these statuses and network errors; any other 4xx (400, 413, 422...) is final. */
export function isRetriableStatus(status: number): boolean {
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

/** Delay before retry number `retry` (1 for the first retry): linear = delay × n, exponential = delay × 2^(n-1). */
export function backoffMs(delivery: Pick<DeliverySpec, 'backoffPolicy' | 'backoffDelayMs'>, retry: number): number {
  if (delivery.backoffPolicy === 'linear') return delivery.backoffDelayMs * retry;
  // Knative: backoffDelay * 2^<numberOfRetries>, so the first retry already waits twice the delay.
  return delivery.backoffDelayMs * 2 ** retry;
}

/** Trigger filter: every attribute named must be present on the event with exactly that value. */
export function filterMatches(filter: Readonly<Record<string, string>>, attributes: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(filter).every(([name, value]) => attributes[name] === value);
}
