// Records each action's outcome as a Kubernetes Event (events.k8s.io/v1) on the object it touched, aggregating
// repeats into a series as client-go's events recorder does; a failure to record is logged, never the action's.
import type { Action } from '../../shared/actions/catalog.ts';
import type { ActionOutcome, ObjectRef } from '../../shared/actions/outcome.ts';
import type { KubeClients, k8s } from '../../shared/kubernetes/client.ts';
import type { Logger } from '../../shared/log/logger.ts';

export const REPORTING_CONTROLLER = 'selfheal.io/healer';
/** Repeats inside this window join the first Event's series (client-go keeps an isomorphic event 6 minutes). */
export const SERIES_WINDOW_MS = 6 * 60_000;
/** Recording an Event waits no longer than this: it follows an action already recorded, never delays much. */
export const EVENT_TIMEOUT_MS = 2_000;

/** What performed reads as, and the stem the other outcomes take (Evicted / EvictionDeferred, EvictionFailed). */
const WORDS: Record<string, readonly [performed: string, stem: string]> = {
  evict: ['Evicted', 'Eviction'],
  delete: ['Deleted', 'Deletion'],
  rollout: ['RolloutRestarted', 'RolloutRestart'],
  scale: ['Scaled', 'Scale'],
  'switch-proxy': ['ProxySwitched', 'ProxySwitch'],
};

/** The Event's reason, CamelCase as Kubernetes reasons are: from the action, what it touched, and how it ended. */
export function eventReason(action: Action | string, outcome: ActionOutcome): string {
  const kind = outcome.regarding?.kind;
  const key =
    kind === 'Deployment' && action !== 'scale' ? 'rollout' : action === 'restart' ? (outcome.detail.startsWith('deleted') ? 'delete' : 'evict') : action;
  const camel = action.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase());
  const [performed, stem] = WORDS[key] ?? [`${camel}Performed`, camel];
  if (outcome.kind === 'performed') return performed;
  return `${stem}${outcome.kind === 'deferred' ? 'Deferred' : outcome.kind === 'declined' ? 'Declined' : 'Failed'}`;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  lastAt: number;
}

export interface KubeEventRecorder {
  /** Never throws; resolves once the Event is written, refused, or timed out. */
  record(action: Action, outcome: ActionOutcome, log: Logger): Promise<void>;
}

/** The one line of the Event (the API caps a note at 1 kB). */
function noteOf(detail: string): string {
  const line = detail.replace(/\s+/g, ' ');
  return line.length > 1000 ? `${line.slice(0, 999)}…` : line;
}

function microTime(ms: number): Date {
  return new Date(ms);
}

export function createEventRecorder(opts: { kube: () => Promise<KubeClients>; instance: string; now: () => number; timeoutMs?: number }): KubeEventRecorder {
  const seen = new Map<string, Seen>();
  const timeoutMs = opts.timeoutMs ?? EVENT_TIMEOUT_MS;
  let api: { kube: KubeClients; events: k8s.EventsV1Api } | undefined;

  async function client() {
    const kube = await opts.kube();
    if (api?.kube !== kube) api = { kube, events: kube.config.makeApiClient(kube.module.EventsV1Api) };
    return api;
  }

  /** Each call gets its own short deadline, instead of the client's (longer) one for actions. */
  function callOptions(kube: KubeClients, patch: boolean): k8s.ConfigurationOptions {
    const mod = kube.module;
    const deadline: k8s.ObservableMiddleware = {
      pre: (ctx) => {
        ctx.setSignal(AbortSignal.timeout(timeoutMs));
        return new mod.Observable(Promise.resolve(ctx));
      },
      post: (res) => new mod.Observable(Promise.resolve(res)),
    };
    const base: k8s.ConfigurationOptions = { middleware: [deadline], middlewareMergeStrategy: 'append' };
    return patch ? mod.setHeaderOptions('Content-Type', mod.PatchStrategy.StrategicMergePatch, base) : base;
  }

  async function write(action: Action, outcome: ActionOutcome, regarding: ObjectRef): Promise<string> {
    const { kube, events } = await client();
    const now = opts.now();
    const reason = eventReason(action, outcome);
    const key = [regarding.namespace, regarding.kind, regarding.name, regarding.uid ?? '', reason, action].join('|');
    for (const [k, s] of seen) if (now - s.lastAt > SERIES_WINDOW_MS) seen.delete(k);
    const before = seen.get(key);
    if (before) {
      const series = { count: before.count + 1, lastObservedTime: microTime(now) };
      try {
        await events.patchNamespacedEvent({ namespace: before.namespace, name: before.name, body: { series } }, callOptions(kube, true));
        seen.set(key, { ...before, count: series.count, lastAt: now });
        return `series ${before.name} count ${series.count}`;
      } catch (error) {
        // Gone (expired by the API server's TTL) or refused: a fresh Event starts a new series below.
        seen.delete(key);
        if ((error as { code?: unknown }).code !== 404) throw error;
      }
    }
    const name = `${regarding.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const body: k8s.EventsV1Event = {
      metadata: { name, namespace: regarding.namespace },
      eventTime: microTime(now),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: opts.instance,
      action,
      reason,
      note: noteOf(outcome.detail),
      type: outcome.kind === 'performed' ? 'Normal' : 'Warning',
      regarding: { ...regarding },
    };
    await events.createNamespacedEvent({ namespace: regarding.namespace, body }, callOptions(kube, false));
    seen.set(key, { namespace: regarding.namespace, name, count: 1, lastAt: now });
    return `created ${name}`;
  }

  return {
    async record(action, outcome, log) {
      const regarding = outcome.regarding;
      if (!regarding || regarding.name === '' || regarding.namespace === '') return;
      try {
        const done = await write(action, outcome, regarding);
        log.debug({ action, regarding: `${regarding.kind}/${regarding.name}`, done }, 'Kubernetes Event recorded');
      } catch (error) {
        log.warn({ action, regarding: `${regarding.kind}/${regarding.name}`, err: (error as Error).message }, 'cannot record the Kubernetes Event of an action');
      }
    },
  };
}

/** The reporting instance: the pod's name (HOSTNAME), else the Knative revision. */
export function reportingInstance(env: NodeJS.ProcessEnv = process.env): string {
  return env['HOSTNAME'] || env['K_REVISION'] || 'selfheal-healer';
}
