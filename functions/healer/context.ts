// What the healer's handlers are given: rules, store, a lazy Kubernetes client, channels for alerts, the clock.
import { setTimeout as sleep } from 'node:timers/promises';
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
