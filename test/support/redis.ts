// Real Redis for tests: REDIS_URL when set, otherwise a private redis-server on a free loopback port.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  /** A key prefix no other test file uses, so a shared REDIS_URL stays clean. */
  prefix: string;
  /** Stops a private server (keeps its port), for outage tests. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Freezes a private server with SIGSTOP: connections stay open and nothing is answered, as with a hung Redis. */
  pause(): void;
  /** Thaws it with SIGCONT. */
  resume(): void;
  close(): Promise<void>;
}

const MISSING = 'Redis is needed for these tests: set REDIS_URL=redis://host:port, or install redis-server (apt-get install -y redis-server) so the tests can start their own';

export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch (error) {
      client.disconnect();
      if (Date.now() > until) throw new Error(`redis at ${url} did not answer: ${(error as Error).message}`);
      await sleep(25);
    }
  }
}

/** A redis-server of the test's own, stoppable and restartable on the same port. */
export async function startPrivateRedis(opts: { persist?: boolean } = {}): Promise<TestRedis> {
  const binary = redisServerBinary();
  if (!binary) throw new Error(MISSING);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  // Persistence only for outage tests, where what was written must survive a restart.
  const dir = opts.persist ? mkdtempSync(join(tmpdir(), 'selfheal-redis-')) : undefined;
  const persistence = dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no'];
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    await waitForPing(url, 10_000);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (!child || child.exitCode !== null) throw new Error(`no redis-server of this test to ${name === 'SIGSTOP' ? 'pause' : 'resume'}`);
    child.kill(name);
  };
  await start();
  const close = async () => {
    // A frozen server still dies on SIGKILL, but thaw it first so nothing is left stopped if that ever changes.
    if (child && child.exitCode === null) child.kill('SIGCONT');
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return { url, prefix: `t${process.pid}`, start, stop, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT'), close };
}

export async function useRedis(): Promise<TestRedis> {
  const shared = process.env.REDIS_URL;
  if (shared) {
    await waitForPing(shared, 2_000);
    const fail = async () => {
      throw new Error('this test needs a private redis-server: unset REDIS_URL or install redis-server');
    };
    const refuse = () => {
      throw new Error('this test needs a private redis-server: unset REDIS_URL or install redis-server');
    };
    return { url: shared, prefix: `t${process.pid}-${Date.now()}`, stop: fail, start: fail, pause: refuse, resume: refuse, close: async () => {} };
  }
  return startPrivateRedis();
}
