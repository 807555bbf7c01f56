// The healer as it runs in production, each part a process of its own: the function entry (functions/healer/index.ts)
// with real Redis under a key prefix of its own, the Kubernetes API simulator, and the bare node:http yardstick.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startPrivateRedis } from '../../support/redis.ts';
import { spawnNode } from './children.ts';
import type { BenchChild } from './children.ts';
import type { LoadReport, LoadSpec } from './generator.ts';
import { runToEnd } from './children.ts';
import type { SimReady, SimSpec } from './sim-server.ts';
import { fail } from './figures.ts';

const HERE = import.meta.dirname;
export const HEALER_ENTRY = join(HERE, '../../../functions/healer/index.ts');
export const NAMESPACE = 'bench';
const OPT_IN = { 'selfheal.io/enabled': 'true' };

/** Rules of the bench: failures and passes (threshold never reached), and failures only (far below its threshold). */
export const RULES = {
  mixed: { name: 'bench-mixed', kind: 'http', namespace: NAMESPACE, labelSelector: 'bench=yes', port: 8080, failureThreshold: 3, cooldown: '60s', actions: ['restart', 'alert'] },
  failing: { name: 'bench-failing', kind: 'http', namespace: NAMESPACE, labelSelector: 'bench=yes', port: 8080, failureThreshold: 1_000_000_000, cooldown: '60s', actions: ['restart', 'alert'] },
};

export interface BenchRedis {
  url: string;
  /** A private redis-server has nothing but the bench's keys and commands, so its counters are the bench's own. */
  private: boolean;
  admin: Redis;
  close(): Promise<void>;
}

/**
 * Redis for the bench: a private redis-server on loopback by default, since Redis' command counters and memory are
 * per server and anyone else's commands would be counted as the healer's; BENCH_REDIS_URL (e.g.
 * redis://127.0.0.1:6379) uses that server instead, under a prefix of the bench's own (figures then include others').
 */
export async function benchRedis(): Promise<BenchRedis> {
  const shared = process.env.BENCH_REDIS_URL;
  const server = shared ? undefined : await startPrivateRedis();
  const url = shared ?? server!.url;
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    url,
    private: !shared,
    admin,
    async close() {
      admin.disconnect();
      await server?.close();
    },
  };
}

export interface RedisCounters {
  calls: Record<string, number>;
  /** Read events of the server: with one request in flight, one per round trip of a client. */
  reads: number;
  /** CPU seconds the server has used (user + system): what an event costs Redis, whatever the client does. */
  cpuSeconds: number;
}

export async function redisCounters(admin: Redis): Promise<RedisCounters> {
  const [commandstats, stats, cpu] = await Promise.all([admin.info('commandstats'), admin.info('stats'), admin.info('cpu')]);
  const calls: Record<string, number> = {};
  for (const m of commandstats.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) calls[m[1]!] = Number(m[2]);
  const reads = Number(stats.match(/total_reads_processed:(\d+)/)?.[1] ?? NaN);
  const seconds = (field: string) => Number(cpu.match(new RegExp(`${field}:([\\d.]+)`))?.[1] ?? NaN);
  return { calls, reads, cpuSeconds: seconds('used_cpu_user') + seconds('used_cpu_sys') };
}

/** Commands the bench itself sends (INFO, CONFIG, MEMORY…): not the healer's. */
const OWN = new Set(['info', 'config|resetstat', 'config', 'memory|usage', 'memory', 'scan', 'dbsize', 'ping', 'client|setinfo', 'client|setname', 'hello', 'select']);

export function callsBetween(before: RedisCounters, after: RedisCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[cmd] ?? 0);
    if (d > 0 && !OWN.has(cmd)) out[cmd] = d;
  }
  return out;
}

export async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info('memory');
  return Number(info.match(/used_memory:(\d+)/)?.[1] ?? NaN);
}

export interface Rig {
  dir: string;
  redis: BenchRedis;
  prefix: string;
  sim: BenchChild<SimReady>;
  healer: BenchChild<{ url: string }>;
  /** Runs the load generator (its own process) against the healer or the bare server. */
  load(url: string, spec: Omit<LoadSpec, 'url' | 'targetsFile'>): Promise<LoadReport>;
  close(): Promise<void>;
}

export async function startRig(opts: { deployments: number; podsPerDeployment: number; logLevel?: string; env?: Record<string, string> }): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));
  const redis = await benchRedis();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const simSpec: SimSpec = { dir, namespace: NAMESPACE, deployments: opts.deployments, podsPerDeployment: opts.podsPerDeployment, labels: { bench: 'yes', ...OPT_IN } };
  let sim: BenchChild<SimReady> | undefined;
  try {
    sim = await spawnNode<SimReady>(join(HERE, 'sim-server.ts'), { args: [JSON.stringify(simSpec)], timeoutMs: 120_000 });
    return await startHealer(dir, redis, prefix, sim, opts);
  } catch (error) {
    await sim?.stop();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startHealer(dir: string, redis: BenchRedis, prefix: string, sim: BenchChild<SimReady>, opts: { logLevel?: string; env?: Record<string, string> }): Promise<Rig> {
  const rulesFile = join(dir, 'rules.json');
  // JSON is YAML: the rules loader reads it as it is.
  writeFileSync(rulesFile, JSON.stringify({ rules: Object.values(RULES) }));
  const port = await freePort();
  const healer = await spawnNode<{ url: string }>(HEALER_ENTRY, {
    port,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: opts.logLevel ?? 'info',
      RULES_FILE: rulesFile,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      KUBECONFIG: sim.ready.kubeconfig,
      K_SINK: '',
      NODE_ENV: 'production',
      ...opts.env,
    },
  });
  const targetsFile = sim.ready.targetsFile;
  let closed: Promise<void> | undefined;
  return {
    dir,
    redis,
    prefix,
    sim,
    healer,
    async load(url, spec) {
      const report = await runToEnd<LoadReport>(join(HERE, 'generator.ts'), [JSON.stringify({ ...spec, url, targetsFile } satisfies LoadSpec)]);
      if (report.non2xx > 0 || report.errors > 0) {
        fail(`${report.non2xx} non-2xx answers and ${report.errors} failed requests from ${url} (statuses ${JSON.stringify(report.statuses)}); first: ${report.firstProblem}\nhealer's last lines:\n${healer.tail()}`);
      }
      if (healer.proc.exitCode !== null) fail(`the healer exited (${healer.proc.exitCode}):\n${healer.tail()}`);
      return report;
    },
    close() {
      closed ??= (async () => {
        await Promise.allSettled([healer.stop(), sim.stop()]);
        if (!redis.private) {
          // The bench's keys on a shared Redis go with it.
          let cursor = '0';
          do {
            const [next, keys] = await redis.admin.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
            if (keys.length > 0) await redis.admin.unlink(...keys);
            cursor = next;
          } while (cursor !== '0');
        }
        await redis.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

export async function startBare(): Promise<BenchChild<{ url: string }>> {
  return spawnNode<{ url: string }>(join(HERE, 'bare-server.ts'));
}
