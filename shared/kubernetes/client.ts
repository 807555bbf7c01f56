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

/** The HTTP status of a failed client call, or undefined for network errors and timeouts. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
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
  return (error as Error).message ?? String(error);
}
