// A real Squid (Debian's `squid`) for one simulated proxy pod: its own config, service name (-n), pid file and
// log directory, run in the foreground (-N) on the pod's loopback address. "Losing the upstream" is done to Squid
// itself: its config is rewritten to forward through a parent peer that is gone, and Squid is reconfigured.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxiedRequest, ResolvedName } from './forward-proxy.ts';
import { urlHost } from './sockets.ts';

export const SQUID_MISSING = 'squid is not installed: apt-get install -y --no-install-recommends squid';

export interface SquidOptions {
  host: string;
  port: number;
  /** CONNECT ports allowed besides 443 (the SSL_ports of a stock squid.conf); tests run HTTPS on ephemeral ports. */
  allowConnectPorts?: readonly number[];
  /**
   * Names answered by local servers instead of DNS. Squid's hosts_file cannot change ports and loopback servers
   * cannot listen on 80 or 443, so a URL rewriter (a small sh helper) sends `http://name/…` and `CONNECT name:443`
   * to the mapped ports. Squid's access rules run before the rewrite, so CONNECT is still checked against 443.
   */
  resolve?: Readonly<Record<string, ResolvedName>>;
  /** Parent directory for the Squid's own directory (default: the system temp dir). */
  parentDir?: string;
}

/** One line of Squid's access log. */
export interface SquidRequest extends ProxiedRequest {
  /** The status Squid answered (a CONNECT's 200 is logged when its tunnel closes). */
  status: number;
  /** Squid's result code, e.g. TCP_MISS, TCP_TUNNEL, TCP_DENIED, NONE_NONE. */
  result: string;
}

export interface SquidExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SquidProxy {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The -n service name: `squid -k … -n <name> -f <configPath>` reaches this Squid. */
  readonly name: string;
  readonly configPath: string;
  readonly dir: string;
  /** Pid of the Squid process while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** What Squid's access log says it was asked: method and request-target as received (before any rewrite). */
  readonly requests: SquidRequest[];
  readonly upstreamLost: boolean;
  /** Rewrites the config so everything goes through a parent peer that is gone, and reconfigures Squid. */
  loseUpstream(): Promise<void>;
  restoreUpstream(): Promise<void>;
  /** Runs `squid <args> -f <config> -n <name>` against this Squid, as a shell in its container would. */
  squidCommand(args: readonly string[]): Promise<SquidExecResult>;
  /** `squid -k shutdown`, then waits for the process to exit. */
  shutdown(): Promise<void>;
  /** Stops Squid (if it still runs) and removes its directory. */
  close(): Promise<void>;
}

export function squidBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/squid', '/usr/local/sbin/squid']) if (existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v squid'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : undefined;
}

export function requireSquid(): string {
  const binary = squidBinary();
  if (binary === undefined) throw new Error(SQUID_MISSING);
  return binary;
}

/** As root Squid drops to cache_effective_user; its directory must then belong to that user. */
function effectiveUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const wanted of ['proxy', 'nobody']) {
    const entry = passwd.find((f) => f[0] === wanted);
    if (entry?.[2] !== undefined && entry[3] !== undefined) return { name: wanted, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('running as root, but neither a "proxy" nor a "nobody" user exists for Squid to drop to');
}

let counter = 0;

/** -n takes letters and digits only. */
/** Unique on the machine (a process id and a count), within the 32 characters Squid allows for `-n`, letters and
 *  digits only: spelling the address out went over the limit for addresses like 127.159.0.10. */
function serviceName(): string {
  counter += 1;
  return `selfheal${process.pid.toString(36)}c${counter.toString(36)}`;
}

// The parent that "the upstream" becomes when lost: port 9 (discard) on loopback, where nothing listens.
const GONE_PARENT = 'cache_peer 127.0.0.1 parent 9 0 no-query no-digest no-netdb-exchange connect-fail-limit=1000000 name=upstream\nnever_direct allow all\n';

function rewriterScript(resolve: Readonly<Record<string, ResolvedName>>): string {
  const cases: string[] = [];
  for (const [name, where] of Object.entries(resolve)) {
    const n = name.toLowerCase();
    const http = where.ports?.[80] ?? 80;
    const https = where.ports?.[443] ?? 443;
    cases.push(`    ${n}:443) echo "OK rewrite-url=${urlHost(where.host)}:${https}" ;;`);
    cases.push(`    http://${n}/*|http://${n}:80/*) echo "OK rewrite-url=http://${urlHost(where.host)}:${http}/\${url#http://*/}" ;;`);
  }
  return `#!/bin/sh\n# Sends the names of the local stand-ins to their loopback ports (see squid.ts).\nwhile read -r url rest; do\n  case "$url" in\n${cases.join('\n')}\n    *) echo "ERR" ;;\n  esac\ndone\n`;
}

function config(o: { host: string; port: number; dir: string; user: string | undefined; connectPorts: readonly number[]; rewriter: string | undefined; upstreamLost: boolean }): string {
  const lines = [
    '# Written by selfheal dev tooling for one simulated proxy pod.',
    `http_port ${urlHost(o.host)}:${o.port}`,
    `pid_filename ${join(o.dir, 'squid.pid')}`,
    `cache_log ${join(o.dir, 'cache.log')}`,
    'logformat selfheal %ts.%03tu %rm %>ru %>Hs %Ss %Sh',
    `access_log stdio:${join(o.dir, 'access.log')} selfheal`,
    'cache_store_log none',
    `coredump_dir ${o.dir}`,
    ...(o.user === undefined ? [] : [`cache_effective_user ${o.user}`]),
    'cache deny all',
    'cache_mem 8 MB',
    'icp_port 0',
    'htcp_port 0',
    'pinger_enable off',
    // Stopping a pod should not wait the default 30 s for clients to finish.
    'shutdown_lifetime 0 seconds',
    // Every name a test or the stack uses is an address or rewritten to one: no query leaves the machine.
    'dns_nameservers 127.0.0.1',
    `acl SSL_ports port ${[443, ...o.connectPorts].join(' ')}`,
    'acl CONNECT method CONNECT',
    'http_access deny CONNECT !SSL_ports',
    'http_access allow all',
  ];
  if (o.rewriter !== undefined) lines.push(`url_rewrite_program ${o.rewriter}`, 'url_rewrite_children 2 startup=1 idle=1');
  return `${lines.join('\n')}\n${o.upstreamLost ? GONE_PARENT : ''}`;
}

function parseAccessLog(text: string): SquidRequest[] {
  const out: SquidRequest[] = [];
  for (const line of text.split('\n')) {
    const [, method, target, status, result] = line.split(' ');
    if (method !== undefined && target !== undefined && status !== undefined && result !== undefined) out.push({ method, target, status: Number(status), result });
  }
  return out;
}

function run(binary: string, args: readonly string[]): Promise<SquidExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ exitCode: code ?? (signal === null ? 1 : 128), stdout, stderr }));
  });
}

function accepting(cacheLog: string): number {
  try {
    return readFileSync(cacheLog, 'utf8').split('Accepting HTTP Socket connections').length - 1;
  } catch {
    return 0;
  }
}

/** Waits (bounded) until cache.log shows one more listening socket than `before`: Squid closes its port while it
 *  reconfigures, so a request sent right after `-k reconfigure` can find the port closed. */
async function untilAccepting(cacheLog: string, before: number, exited: () => boolean, what: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (accepting(cacheLog) > before) return;
    if (exited()) break;
    await sleep(50);
  }
  let tail = '';
  try {
    tail = readFileSync(cacheLog, 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    tail = '(no cache.log)';
  }
  throw new Error(`squid ${what()}: not accepting connections\n${tail}`);
}

export async function startSquid(options: SquidOptions): Promise<SquidProxy> {
  const binary = requireSquid();
  const { host, port } = options;
  const user = effectiveUser();
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'selfheal-squid-'));
  const name = serviceName();
  const configPath = join(dir, 'squid.conf');
  const cacheLog = join(dir, 'cache.log');
  const accessLog = join(dir, 'access.log');
  let rewriter: string | undefined;
  if (options.resolve !== undefined && Object.keys(options.resolve).length > 0) {
    rewriter = join(dir, 'rewrite.sh');
    await writeFile(rewriter, rewriterScript(options.resolve), { mode: 0o755 });
  }
  let upstreamLost = false;
  const writeConfig = () =>
    writeFile(configPath, config({ host, port, dir, user: user?.name, connectPorts: options.allowConnectPorts ?? [], rewriter, upstreamLost }), { mode: 0o644 });
  await writeConfig();
  // mkdtemp makes the directory 0700; Squid, once it dropped to its user, writes its logs and pid file there.
  chmodSync(dir, 0o755);
  if (user !== undefined) for (const path of [dir, configPath, ...(rewriter ? [rewriter] : [])]) chownSync(path, user.uid, user.gid);

  const control = (args: readonly string[]) => run(binary, [...args, '-f', configPath, '-n', name]);
  let proc: ChildProcess | undefined = spawn(binary, ['-N', '-f', configPath, '-n', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  let exited = false;
  // once() rejects on 'error' (a binary that cannot be spawned): either way the process is gone.
  const exit = once(proc, 'exit').then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );
  const stop = async (): Promise<void> => {
    if (proc === undefined) return;
    if (!exited) proc.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), sleep(15_000, undefined, { ref: false }).then(() => false)]);
    if (!stopped) {
      proc.kill('SIGKILL');
      await exit;
    }
    proc = undefined;
  };
  try {
    await untilAccepting(cacheLog, 0, () => exited, () => `on ${host}:${port} did not start${stderr ? `: ${stderr.trim()}` : ''}`);
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const reconfigure = async (): Promise<void> => {
    await writeConfig();
    const before = accepting(cacheLog);
    const done = await control(['-k', 'reconfigure']);
    if (done.exitCode !== 0) throw new Error(`squid -k reconfigure exited ${done.exitCode}: ${done.stderr.trim()}`);
    await untilAccepting(cacheLog, before, () => exited, () => 'reconfigure');
  };

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    host,
    port,
    name,
    configPath,
    dir,
    get pid() {
      return exited ? undefined : proc?.pid;
    },
    get running() {
      return proc !== undefined && !exited;
    },
    get requests() {
      try {
        return parseAccessLog(readFileSync(accessLog, 'utf8'));
      } catch {
        return [];
      }
    },
    get upstreamLost() {
      return upstreamLost;
    },
    async loseUpstream() {
      upstreamLost = true;
      await reconfigure();
    },
    async restoreUpstream() {
      upstreamLost = false;
      await reconfigure();
    },
    squidCommand: (args) => control(args),
    async shutdown() {
      const done = await control(['-k', 'shutdown']);
      if (done.exitCode !== 0) throw new Error(`squid -k shutdown exited ${done.exitCode}: ${done.stderr.trim()}`);
      const stopped = await Promise.race([exit.then(() => true), sleep(15_000, undefined, { ref: false }).then(() => false)]);
      if (!stopped) throw new Error(`squid ${name} still runs 15 s after -k shutdown`);
    },
    close() {
      closed ??= (async () => {
        await stop();
        await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
