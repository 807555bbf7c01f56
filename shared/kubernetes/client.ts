// Kubernetes access through @kubernetes/client-node, imported only when first needed (the import alone costs
// about a second), with a timeout on every call and explicit content types on patches.
import type * as k8s from '@kubernetes/client-node';

export type KubeModule = typeof k8s;
export type { k8s };

let modulePromise: Promise<KubeModule> | undefined;

export function loadKubeModule(): Promise<KubeModule> {
  modulePromise ??= import('@kubernetes/client-node');
  return modulePromise;
}

export type PatchType = 'merge' | 'strategic' | 'json';

export interface KubeClients {
  readonly module: KubeModule;
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly autoscaling: k8s.AutoscalingV2Api;
  readonly discovery: k8s.DiscoveryV1Api;
  readonly exec: k8s.Exec;
  readonly timeoutMs: number;
  /** Per-call options: the timeout, plus the patch content type when given. */
  options(patch?: PatchType): k8s.ConfigurationOptions;
}

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** In a pod: the service account; elsewhere KUBECONFIG or ~/.kube/config. */
export async function loadKubeConfig(): Promise<k8s.KubeConfig> {
  const mod = await loadKubeModule();
  const kc = new mod.KubeConfig();
  if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export async function createKubeClients(opts: { config?: k8s.KubeConfig; timeoutMs: number }): Promise<KubeClients> {
  const mod = await loadKubeModule();
  // The exec WebSocket has no handshake timeout of its own: an API server that accepts the connection and never
  // upgrades it would keep one socket open per probe. WebSocketHandler is not re-exported by the package entry.
  const [{ WebSocketHandler }, { WebSocket }] = await Promise.all([import('@kubernetes/client-node/dist/web-socket-handler.js'), import('ws')]);
  const config = opts.config ?? (await loadKubeConfig());
  const timeout: k8s.ObservableMiddleware = {
    // The client has no default request timeout; a hung API server must not hang a check or a heal.
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(opts.timeoutMs));
      return new mod.Observable(Promise.resolve(ctx));
    },
    post: (res) => new mod.Observable(Promise.resolve(res)),
  };
  return Object.freeze({
    module: mod,
    config,
    core: config.makeApiClient(mod.CoreV1Api),
    apps: config.makeApiClient(mod.AppsV1Api),
    autoscaling: config.makeApiClient(mod.AutoscalingV2Api),
    discovery: config.makeApiClient(mod.DiscoveryV1Api),
    exec: new mod.Exec(
      config,
      new WebSocketHandler(config, (uri, protocols, wsOpts) => new WebSocket(uri, protocols, { ...wsOpts, handshakeTimeout: opts.timeoutMs })),
    ),
    timeoutMs: opts.timeoutMs,
    options(patch?: PatchType): k8s.ConfigurationOptions {
      const base: k8s.ConfigurationOptions = { middleware: [timeout], middlewareMergeStrategy: 'append' };
      return patch ? mod.setHeaderOptions('Content-Type', PATCH_CONTENT_TYPE[patch], base) : base;
    },
  });
}

/** The HTTP status of a failed client call, or undefined when no answer came (timeout, abort, network error).
 *  A timed-out call throws a DOMException whose numeric `code` (23, 20) is not an HTTP status: never read it as one. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || error instanceof DOMException) return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return undefined;
  return typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined;
}

/** The Status object the API server sent with a failure, when it sent one (a throttling 429 is plain text). */
export function apiStatusBody(error: unknown): { reason?: string; details?: { causes?: Array<{ reason?: string }>; retryAfterSeconds?: number } } | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body !== 'string') return typeof body === 'object' && body !== null ? (body as ReturnType<typeof apiStatusBody>) : undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ReturnType<typeof apiStatusBody>) : undefined;
  } catch {
    return undefined;
  }
}

/** A 429 that means "a PodDisruptionBudget forbids this eviction now", not throttling: its Status names the cause. */
export function isDisruptionBudgetRefusal(error: unknown): boolean {
  return apiStatus(error) === 429 && (apiStatusBody(error)?.details?.causes ?? []).some((c) => c.reason === 'DisruptionBudget');
}

/** The message of a failed client call: the Status message when the API server sent one. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return body.slice(0, 200);
    }
  }
  const message = (error as Error).message ?? String(error);
  // undici's "fetch failed" hides why in its cause: a refused connection, a name that does not resolve, a reset.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return why && !message.includes(why) ? `${message}: ${why}` : message;
}

/** The API server a client talks to, for messages about calls that got no answer. */
export function apiServerOf(kube: Pick<KubeClients, 'config'>): string {
  return kube.config.getCurrentCluster()?.server ?? 'the API server';
}
