// What the healer's handlers are given: rules, store, a lazy Kubernetes client, channels for alerts, the clock.
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailable } from '../../shared/http/http-error.ts';
import type { Snapshot } from '../../shared/store/history-store.ts';
import type { Emitter } from '../../shared/emit/emitter.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import type { RuleSet } from '../../shared/rules/load.ts';
import type { HistoryStore } from '../../shared/store/history-store.ts';

export interface HealerConfig {
  dryRun: boolean;
  /** Namespaces the healer may touch. */
  allowedNamespaces: ReadonlySet<string>;
  optInLabel: string;
  budgetMax: number;
  budgetWindowMs: number;
  maxRestartShare: number;
  actionLeaseMs: number;
  alertTimeoutMs: number;
  webhookUrl?: string | undefined;
}

export interface HealerDeps {
  rules: RuleSet;
  store: HistoryStore;
  kube: () => Promise<KubeClients>;
  /** Where alerts and proxy switches are posted besides the reply (K_SINK); none when unset. */
  emitter?: Emitter | undefined;
  config: HealerConfig;
  now: () => number;
}

/** Optimistic commits retry on conflict; past this many, answer 503 and let the Broker redeliver. */
export const MAX_COMMIT_ATTEMPTS = 64;

/** Jittered and growing, so concurrent deciders on one target spread out instead of colliding again. */
export function conflictBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(50, attempt * 5));
}

/**
 * Whether an event seen before is to be decided again without counting its result twice: its action failed
 * transiently ('retry'), or it ran under a lease that is gone (a crash before its outcome was recorded).
 * While that lease is still held, the action may still be running: 503, and the Broker comes back later.
 */
export function redeliveredAfterAction(dedupe: Snapshot<object>['dedupe'], holder: { pendingToken: string; pendingUntil: number }, now: number): boolean {
  if (dedupe === 'retry') return true;
  if (typeof dedupe !== 'object') return false;
  if (holder.pendingToken === dedupe.pending && holder.pendingUntil > now) {
    throw unavailable('the action this event started is still running; retry later');
  }
  return true;
}
