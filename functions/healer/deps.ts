// What the healer's handlers are given: rules, store, a lazy Kubernetes client, channels for alerts, the clock.
import type { Dispatcher } from 'undici';
import type { ActionContext } from '../../shared/actions/action.ts';
import type { Emitter } from '../../shared/emit/emitter.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import type { KubeEventRecorder } from './kube-events.ts';
import type { Metrics } from '../../shared/metrics/metrics.ts';
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
  /** Alertmanager's base URL (ALERTMANAGER_URL): alerts are posted to its API v2, and resolved there. */
  alertmanagerUrl?: string | undefined;
  /** Results dated further ahead of the healer's clock are refused. */
  maxClockSkewMs: number;
  /** Results observed longer ago are refused. */
  maxResultAgeMs: number;
}

export interface HealerDeps {
  rules: RuleSet;
  store: HistoryStore;
  kube: () => Promise<KubeClients>;
  /** Where alerts and proxy switches are posted besides the reply (K_SINK); none when unset. */
  emitter?: Emitter | undefined;
  config: HealerConfig;
  now: () => number;
  /** What the healer's own probes use (confirming a failure before a restart): a keep-alive pool and the CAs. */
  probes: { http: Dispatcher; ca: string[] | undefined };
  /** Counts decisions and actions; none in tests that do not read them. */
  metrics?: Metrics | undefined;
  /** Records each action's outcome as a Kubernetes Event on what it touched; none: no Events. */
  events?: KubeEventRecorder | undefined;
}

/** What an action is handed to perform itself. */
export function actionContext(deps: HealerDeps): ActionContext {
  return {
    kube: deps.kube,
    alerts: { emitter: deps.emitter, webhookUrl: deps.config.webhookUrl, alertmanagerUrl: deps.config.alertmanagerUrl, timeoutMs: deps.config.alertTimeoutMs },
    now: deps.now,
  };
}
