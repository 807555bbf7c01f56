// The HTTP front: reads requests, dispatches them to the route modules, writes JSON/Status answers and logs each call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from './cluster.ts';
import { handleAutoscaling } from './autoscaling.ts';
import { execEndpoint } from './exec-websocket.ts';
import { handleApps } from './routes-apps.ts';
import { handleCore } from './routes-core.ts';
import { handleDiscovery, handlePolicy } from './routes-discovery-policy.ts';
import { handleEvents } from './routes-events.ts';
import type { ApiRequest, ApiResponse, RouteHandler } from './routing.ts';
import { ApiError, STALE_OBJECT, conflict, internalError, routeNotFound, serviceUnavailable, timeoutStatus } from './status.ts';
import type { RequestRecord } from './types.ts';

const GROUPS: Record<string, RouteHandler> = {
  'apps/v1': handleApps,
  'autoscaling/v2': handleAutoscaling,
  'discovery.k8s.io/v1': handleDiscovery,
  'events.k8s.io/v1': handleEvents,
  'policy/v1': handlePolicy,
};

const VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function discovery(req: ApiRequest): ApiResponse | undefined {
  const [root] = req.segments;
  if (req.segments.length !== 1 || req.method !== 'GET') return undefined;
  if (root === 'version') return { status: 200, body: VERSION };
  if (root === 'api') return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
  if (root === 'apis') {
    const groups = Object.keys(GROUPS).map((gv) => {
      const [name = '', version = ''] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    });
    return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups } };
  }
  return undefined;
}

function route(req: ApiRequest, cluster: Cluster): ApiResponse {
  const [root, group, version] = req.segments;
  const answer =
    discovery(req) ??
    (root === 'api' && group === 'v1' ? handleCore(req, cluster) : undefined) ??
    (root === 'apis' && group !== undefined && version !== undefined ? GROUPS[`${group}/${version}`]?.(req, cluster) : undefined);
  if (!answer) throw routeNotFound();
  return answer;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, plain?: { text: string; headers: Record<string, string> }): void {
  const text = plain ? plain.text : `${JSON.stringify(body)}\n`;
  const type = plain ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private', ...plain?.headers });
  res.end(text);
}

/** A fault the simulator plays for matching requests, as a real API server under stress answers. */
export type Fault =
  /** API Priority and Fairness rejects the request before it is served: a plain-text 429 with Retry-After. */
  | { kind: 'throttle'; retryAfterSeconds: number }
  /** The API server fails the request: a 500 InternalError, 503 ServiceUnavailable or 409 Conflict Status. It is
   *  not served, unless `served` (an API server that timed a request out may still have carried it out). */
  | { kind: 'error'; code: 409 | 500 | 503; served?: boolean }
  /** The answer comes only after delayMs; the request is served at once unless `served` is false (then it
   *  is answered 504 Timeout without having been served). */
  | { kind: 'slow'; delayMs: number; served?: boolean }
  /** Another client's write lands just before this request is served (a real race: preconditions then see it). */
  | { kind: 'race'; write: () => unknown };

export interface FaultRule {
  method: string;
  path: RegExp;
  fault: Fault;
  /** How many more matching requests meet the fault. */
  left: number;
}

function takeFault(faults: FaultRule[], method: string, path: string): Fault | undefined {
  const rule = faults.find((f) => f.left > 0 && f.method === method && f.path.test(path));
  if (!rule) return undefined;
  rule.left--;
  return rule.fault;
}

function faultAnswer(fault: Extract<Fault, { kind: 'throttle' | 'error' }>): { status: number; body: unknown; plain?: { text: string; headers: Record<string, string> } } {
  if (fault.kind === 'throttle') {
    // What the flow-control filter writes: not a Status object, just text and the header.
    return { status: 429, body: undefined, plain: { text: 'Too many requests, please try again later.\n', headers: { 'retry-after': String(fault.retryAfterSeconds) } } };
  }
  const error =
    fault.code === 500
      ? internalError('the simulated API server failed this request')
      : fault.code === 409
        ? conflict({ group: 'policy', resource: 'poddisruptionbudgets' }, 'budget', STALE_OBJECT)
        : serviceUnavailable();
  return { status: error.status.code, body: error.status };
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** A request the simulated RBAC refuses: 403 Forbidden, as the API server answers a service account without the verb. */
export interface Denial {
  method: string;
  path: RegExp;
}

function forbidden(method: string, path: string): ApiResponse {
  const resource = path.split('/').filter((s) => s !== '').at(-1) ?? '';
  return {
    status: 403,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${resource} is forbidden: User "system:serviceaccount:selfheal:test" cannot ${method.toLowerCase()} this resource`,
      reason: 'Forbidden',
      details: { kind: resource },
      code: 403,
    },
  };
}

/** Exec upgrades the server accepts and never answers (a kubelet stuck on the pod), and those still open. */
export interface Stalls {
  on: boolean;
  readonly open: Set<import('node:stream').Duplex>;
}

export async function startHttpServer(
  cluster: Cluster,
  requests: RequestRecord[],
  host: string,
  denials: Denial[] = [],
  stalls: Stalls = { on: false, open: new Set() },
  faults: FaultRule[] = [],
): Promise<RunningServer> {
  const exec = execEndpoint(cluster, (r) => requests.push(r));
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const contentType = req.headers['content-type'];
      const record: RequestRecord = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.slice(1),
        ...(contentType !== undefined ? { contentType } : {}),
        status: 0,
      };
      requests.push(record);
      let status: number;
      let body: unknown;
      let plain: { text: string; headers: Record<string, string> } | undefined;
      const fault = takeFault(faults, record.method, record.path);
      try {
        const apiRequest: ApiRequest = {
          method: record.method,
          segments: url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent),
          query: url.searchParams,
          contentType,
          body: await readBody(req),
        };
        const denied = denials.some((d) => d.method === record.method && d.path.test(record.path));
        if (fault?.kind === 'race') await fault.write();
        if (fault?.kind === 'slow' && fault.served === false) ({ status, body } = { status: 504, body: timeoutStatus().status });
        else if (fault?.kind === 'throttle' || fault?.kind === 'error') {
          if (fault.kind === 'error' && fault.served && !denied) route(apiRequest, cluster);
          ({ status, body, plain } = faultAnswer(fault));
        }
        else ({ status, body } = denied ? forbidden(record.method, record.path) : route(apiRequest, cluster));
      } catch (err) {
        const failure = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
        status = failure.status.code;
        body = failure.status;
      }
      record.status = status;
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      if (!res.destroyed) send(res, status, body, plain);
    })();
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://kube-sim').pathname;
    if (denials.some((d) => d.method === (req.method ?? 'GET') && d.path.test(path))) {
      requests.push({ method: req.method ?? 'GET', path, query: '', status: 403 });
      const body = JSON.stringify(forbidden(req.method ?? 'GET', path).body);
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    if (stalls.on) {
      stalls.open.add(socket);
      socket.once('close', () => stalls.open.delete(socket));
      // The client gave up (its FIN): as a real server would, let go of the half-open connection.
      socket.once('end', () => socket.destroy());
      socket.on('error', () => socket.destroy());
      return;
    }
    exec.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    async close() {
      for (const s of stalls.open) s.destroy();
      exec.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
