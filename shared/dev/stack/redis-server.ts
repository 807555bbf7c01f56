// Redis for the local stack: REDIS_URL when given, else the usual local one, else a private redis-server of its own.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger.ts';
import { freeLoopbackPort } from './function-process.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const NO_REDIS_MESSAGE =
  `no Redis: nothing answers at ${DEFAULT_REDIS_URL} and redis-server is not installed. ` +
  'Install it (apt-get install -y redis-server; brew install redis) so the stack can start its own, or set REDIS_URL=redis://host:port.';

export class NoRedisError extends Error {
  constructor(message = NO_REDIS_MESSAGE) {
    super(message);
    this.name = 'NoRedisError';
  }
}

export interface StackRedis {
  readonly url: string;
  /** True when this stack started the server (and stops it). */
  readonly private: boolean;
  stop(): Promise<void>;
}

/** Sends PING over a bare socket: true only for a Redis that answers +PONG without authentication. */
export async function answersPing(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Looks the binary up on PATH without a shell. */
export async function findRedisServer(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'redis-server');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function startPrivate(binary: string, log: Logger): Promise<StackRedis> {
  const port = await freeLoopbackPort();
  const url = `redis://127.0.0.1:${port}`;
  // Nothing is persisted: the private server lives and dies with the stack.
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
    stdio: 'ignore',
  });
  // Plain listeners: events.once would reject `exit` when `error` fires, and nobody would catch it.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  for (let i = 0; i < 200; i++) {
    if (await answersPing(url, 250)) {
      log.info({ url, pid: child.pid }, 'started a private redis-server');
      return {
        url,
        private: true,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering on ${url}`);
    const failed = await Promise.race([spawnFailed, sleep(25).then(() => undefined)]);
    if (failed) throw new Error(`redis-server cannot be started: ${failed.message}`);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on ${url}`);
}

/** `url` (REDIS_URL) is used as given; without one, the default local Redis, or a private server. */
export async function provideRedis(opts: { url?: string | undefined; logger: Logger; binary?: string | undefined }): Promise<StackRedis> {
  if (opts.url !== undefined && opts.url !== '') return { url: opts.url, private: false, stop: async () => {} };
  if (await answersPing(DEFAULT_REDIS_URL)) {
    opts.logger.info({ url: DEFAULT_REDIS_URL }, 'using the Redis that answers on the default port');
    return { url: DEFAULT_REDIS_URL, private: false, stop: async () => {} };
  }
  const binary = opts.binary ?? (await findRedisServer());
  if (binary === undefined) throw new NoRedisError();
  return startPrivate(binary, opts.logger);
}
