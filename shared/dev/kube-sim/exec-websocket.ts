// pods/exec over WebSocket with the Kubernetes channel protocols (v5/v4 JSON status, older ones plain-text errors).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Cluster } from './cluster.ts';
import { badRequest, notFound, routeNotFound, type ApiError, type StatusBody } from './status.ts';
import type { ExecReply, RequestRecord } from './types.ts';
import { PODS } from './validation.ts';
import type { V1PodLike } from './wire-types.ts';

// Server preference does not matter: like wsstream, the first protocol the client lists that we know wins.
const SUPPORTED = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;

interface ExecRequest {
  pod: V1PodLike;
  container: string;
  command: string[];
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

function parseExec(url: URL, cluster: Cluster): ExecRequest {
  const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [api, v1, namespaces, ns, pods, name, sub] = segments;
  if (segments.length !== 7 || api !== 'api' || v1 !== 'v1' || namespaces !== 'namespaces' || pods !== 'pods' || sub !== 'exec' || !ns || !name) {
    throw routeNotFound();
  }
  const pod = cluster.store.get('Pod', ns, name);
  if (!pod) throw notFound(PODS, name);
  const names = pod.spec.containers.map((c) => c.name);
  let container = url.searchParams.get('container') ?? '';
  if (container === '') {
    if (names.length !== 1) {
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    }
    container = names[0] ?? '';
  } else if (!names.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const command = url.searchParams.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const req = { pod, container, command, stdout: flag(url.searchParams, 'stdout'), stderr: flag(url.searchParams, 'stderr'), tty: flag(url.searchParams, 'tty') };
  if (!req.stdout && !req.stderr && !flag(url.searchParams, 'stdin')) {
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  return req;
}

function rejectUpgrade(socket: Duplex, status: StatusBody): void {
  const body = `${JSON.stringify(status)}\n`;
  const reason = status.reason ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function frame(channel: number, data: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
}

function exitStatus(reply: { exitCode: number }, command: string[]): object {
  if (reply.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${reply.exitCode}: `,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(reply.exitCode) }] },
  };
}

async function run(ws: WebSocket, exec: ExecRequest, cluster: Cluster): Promise<void> {
  const jsonStatus = ws.protocol === 'v4.channel.k8s.io' || ws.protocol === 'v5.channel.k8s.io';
  // kubelet writes an empty frame to the lowest writable channel to tell the client the streams are up.
  ws.send(frame(exec.stdout ? STDOUT : exec.stderr ? STDERR : ERROR, ''));
  let reply: ExecReply;
  try {
    reply = (await cluster.runtime.exec?.(structuredClone(exec.pod), exec.container, exec.command)) ?? { exitCode: 0 };
  } catch (err) {
    const message = `error executing command in container: ${err instanceof Error ? err.message : String(err)}`;
    if (ws.readyState !== ws.OPEN) return;
    const status = { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
    ws.send(frame(ERROR, jsonStatus ? JSON.stringify(status) : status.message));
    ws.close(1000);
    return;
  }
  if ('hang' in reply) return;
  if (ws.readyState !== ws.OPEN) return;
  if (exec.stdout && reply.stdout) ws.send(frame(STDOUT, reply.stdout));
  if (exec.stderr && reply.stderr) ws.send(frame(exec.tty ? STDOUT : STDERR, reply.stderr));
  const status = exitStatus(reply, exec.command);
  if (jsonStatus) ws.send(frame(ERROR, JSON.stringify(status)));
  else if (reply.exitCode !== 0) ws.send(frame(ERROR, (status as { message: string }).message));
  ws.close(1000);
}

export interface ExecEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function execEndpoint(cluster: Cluster, log: (record: RequestRecord) => void): ExecEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered: Set<string>) => [...offered].find((p) => SUPPORTED.includes(p)) ?? false,
  });
  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const record = (status: number): void =>
        log({ method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), status });
      let exec: ExecRequest;
      try {
        exec = parseExec(url, cluster);
      } catch (err) {
        const status = (err as ApiError).status;
        record(status.code);
        rejectUpgrade(socket, status);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        record(101);
        ws.on('error', () => {
          // A client that vanishes mid-exec is not the simulator's problem.
        });
        void run(ws, exec, cluster);
      });
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
