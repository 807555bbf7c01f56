// Before a function that needs the Kubernetes API says it is ready: is there a kubeconfig (or a service account),
// and does its API server accept a connection? Without this a function started by hand with no cluster would start,
// report ready and answer every ping 503 with the client's own riddle. Reads files and opens one TCP connection;
// the Kubernetes client itself is still imported on first use (it costs about a second).
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

const HOW_TO_GET_ONE =
  'set KUBECONFIG to a kubeconfig file (e.g. kubectl config view --raw > kubeconfig.yaml; kind get kubeconfig > kubeconfig.yaml), ' +
  'or run everything against the simulated cluster with npm start -- --simulate';

export class KubeconfigProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigProblem';
  }
}

export interface ApiServer {
  /** The server URL, as the kubeconfig or the in-cluster environment gives it. */
  readonly server: string;
  /** Where it came from: a kubeconfig path, or "in-cluster". */
  readonly source: string;
}

/** The kubeconfig files the client would read, in its order: KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter((p) => p !== '') : [];
  return list.length > 0 ? list : [join(env.HOME || homedir(), '.kube', 'config')];
}

interface KubeconfigFile {
  'current-context'?: unknown;
  contexts?: Array<{ name?: unknown; context?: { cluster?: unknown } }>;
  clusters?: Array<{ name?: unknown; cluster?: { server?: unknown } }>;
}

function readKubeconfig(path: string): KubeconfigFile {
  try {
    const doc = parse(readFileSync(path, 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null ? (doc as KubeconfigFile) : {};
  } catch (error) {
    throw new KubeconfigProblem(`kubeconfig ${path} cannot be read: ${(error as Error).message}`);
  }
}

/** The API server the client would talk to, or a KubeconfigProblem naming what is missing and how to get it. */
export function findApiServer(env: NodeJS.ProcessEnv = process.env): ApiServer {
  // The client's own choice (client.ts): in a pod without KUBECONFIG, the service account.
  if (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) {
    if (!existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new KubeconfigProblem(`in a pod (KUBERNETES_SERVICE_HOST is set) but no service account token at ${SERVICE_ACCOUNT_TOKEN}: is automountServiceAccountToken false?`);
    }
    const host = env.KUBERNETES_SERVICE_HOST.includes(':') ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
    return { server: `https://${host}:${env.KUBERNETES_SERVICE_PORT || '443'}`, source: 'in-cluster' };
  }
  const candidates = kubeconfigCandidates(env);
  const files = candidates.filter((p) => existsSync(p));
  if (files.length === 0) throw new KubeconfigProblem(`no kubeconfig: tried ${candidates.join(', ')}; ${HOW_TO_GET_ONE}`);
  // Merged as the client merges them: the first current-context wins, the first entry of a name wins.
  const docs = files.map((path) => ({ path, doc: readKubeconfig(path) }));
  const current = docs.map((d) => d.doc['current-context']).find((c): c is string => typeof c === 'string' && c !== '');
  const where = files.join(', ');
  if (!current) throw new KubeconfigProblem(`kubeconfig ${where} has no current-context; ${HOW_TO_GET_ONE}`);
  const context = docs.flatMap((d) => d.doc.contexts ?? []).find((c) => c.name === current);
  const clusterName = context?.context?.cluster;
  if (typeof clusterName !== 'string') throw new KubeconfigProblem(`kubeconfig ${where}: the current context "${current}" is not defined or names no cluster`);
  const found = docs.flatMap((d) => (d.doc.clusters ?? []).map((c) => ({ path: d.path, c }))).find((x) => x.c.name === clusterName);
  const server = found?.c.cluster?.server;
  if (typeof server !== 'string' || server === '') throw new KubeconfigProblem(`kubeconfig ${where}: cluster "${clusterName}" has no server`);
  return { server, source: found!.path };
}

/** One TCP connection to the server's host and port, closed at once. */
function reach(server: string, timeoutMs: number): Promise<void> {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return Promise.reject(new Error(`the server ${JSON.stringify(server)} is not a URL`));
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Throws a KubeconfigProblem naming the kubeconfig or the API server when the API cannot be reached at all. */
export async function kubernetesPreflight(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5_000): Promise<ApiServer> {
  const target = findApiServer(env);
  try {
    await reach(target.server, timeoutMs);
  } catch (error) {
    throw new KubeconfigProblem(`cannot reach the Kubernetes API server at ${target.server} (from ${target.source}): ${(error as Error).message}`);
  }
  return target;
}
