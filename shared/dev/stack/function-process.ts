// One function as a child process on a fixed loopback port: started, awaited until ready, its log lines forwarded,
// stopped with SIGTERM (SIGKILL only after its grace period), restarted on the same port.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { Logger } from '../../log/logger.ts';
import type { LogOutput } from './log-output.ts';

export interface FunctionProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Stops the process and starts a new one on the same port; resolves when it is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface FunctionProcessOptions {
  name: string;
  /** Absolute path of the entry module. */
  entry: string;
  cwd: string;
  env: Record<string, string>;
  output: LogOutput;
  /** For what the stack says about the process (ready, exited, its stderr): named after the function. */
  logger: Logger;
  port?: number;
  readyTimeoutMs?: number;
  /** After SIGTERM, how long before SIGKILL: a bit more than the function's own SHUTDOWN_GRACE. */
  killAfterMs?: number;
}

/** Kept so a child that dies at start-up can say why. */
const TAIL_LINES = 30;

export async function freeLoopbackPort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function splitLines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() !== '') onLine(line);
    }
  };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

export async function startFunctionProcess(opts: FunctionProcessOptions): Promise<FunctionProcess> {
  const port = opts.port ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  const log = opts.logger;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const killAfterMs = opts.killAfterMs ?? 30_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;

  async function launch(): Promise<void> {
    const tail: string[] = [];
    const keep = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // A function is not a test file, even when the stack runs under node --test.
    delete env.NODE_TEST_CONTEXT;
    // Five processes compile the same modules at every start and restart; Node's on-disk cache makes that cheaper.
    env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'selfheal-node-compile-cache');
    // Its own process group: a Ctrl-C on the terminal reaches the stack only, which stops the functions in
    // order (deliveries drained first) instead of every process racing to exit at once.
    const proc = spawn(process.execPath, [opts.entry], { cwd: opts.cwd, env: { ...env, ...opts.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    const orphanGuard = () => proc.kill('SIGKILL');
    process.once('exit', orphanGuard);
    proc.once('exit', () => process.off('exit', orphanGuard));
    stopping = false;
    // The functions log pino JSON with their name: forwarded as they are. Anything else (a crash trace) is wrapped.
    proc.stdout!.on(
      'data',
      splitLines((line) => {
        keep(line);
        if (line.startsWith('{')) opts.output.write(line);
        else log.info({ stream: 'stdout' }, line);
      }),
    );
    proc.stderr!.on(
      'data',
      splitLines((line) => {
        keep(line);
        log.warn({ stream: 'stderr' }, line);
      }),
    );
    let gone: string | undefined;
    exited = new Promise<void>((resolve) =>
      proc.once('exit', (code, signal) => {
        gone = String(code ?? signal);
        if (!stopping) log.error({ code, signal, pid: proc.pid }, `${opts.name} exited unexpectedly`);
        resolve();
      }),
    );
    const until = Date.now() + readyTimeoutMs;
    for (;;) {
      if (gone !== undefined) throw new Error(`${opts.name} exited (${gone}) before it was ready:\n${tail.join('\n')}`);
      if (await isReady(url)) break;
      if (Date.now() > until) {
        await stopChild();
        throw new Error(`${opts.name} was not ready on ${url} after ${readyTimeoutMs} ms:\n${tail.join('\n')}`);
      }
      await sleep(50);
    }
    log.info({ url, pid: proc.pid }, `${opts.name} ready`);
  }

  async function stopChild(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    stopping = true;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => {
      log.warn({ pid: proc.pid, afterMs: killAfterMs }, `${opts.name} did not stop in time: SIGKILL`);
      proc.kill('SIGKILL');
    }, killAfterMs);
    await exited;
    clearTimeout(killer);
  }

  await launch();
  return {
    name: opts.name,
    url,
    port,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async restart() {
      await stopChild();
      await launch();
    },
    stop: stopChild,
  };
}
