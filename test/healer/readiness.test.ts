// /readyz of the healer and the proxy selector follows whether Redis answers, not whether its socket is open:
// a hung Redis (SIGSTOP) turns them not ready, and they are ready again once it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { startChild } from '../support/process.ts';
import { startPrivateRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';
import { RULES } from './harness.ts';

const ENTRIES = {
  healer: new URL('../../functions/healer/index.ts', import.meta.url).pathname,
  'proxy-selector': new URL('../../functions/proxy-selector/index.ts', import.meta.url).pathname,
};

/** One readiness probe, as the kubelet makes it: an answer within a second or a failure. */
async function probe(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await request(`${url}/readyz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
  await res.body.text();
  return { status: res.statusCode, ms: performance.now() - started };
}

/** Probes every 100 ms until the status is `want`; how long that took, or a failure after `withinMs`. */
async function until(url: string, want: number, withinMs: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < withinMs / 100; i++) {
    const answer = await probe(url);
    assert.ok(answer.ms < 1_000, `a probe took ${answer.ms} ms`);
    if (answer.status === want) return performance.now() - started;
    await sleep(100);
  }
  assert.fail(`/readyz did not answer ${want} within ${withinMs} ms`);
}

async function pingCalls(redis: TestRedis): Promise<number> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('commandstats');
    return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

for (const [name, entry] of Object.entries(ENTRIES)) {
  test(`${name}: /readyz turns 503 while Redis hangs and 200 once it answers again`, async (t) => {
    const redis = await startPrivateRedis();
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-ready-'));
    t.after(async () => {
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    // The healer needs an API server it can reach to start at all (the proxy selector does not read the cluster).
    const sim = await startKubeSimulator();
    t.after(() => sim.close());
    writeFileSync(join(dir, 'kubeconfig'), sim.kubeconfigYaml());
    const child = await startChild(entry, { PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url, RULES_FILE: join(dir, 'rules.yaml'), KUBECONFIG: join(dir, 'kubeconfig') });
    t.after(() => child.proc.kill('SIGKILL'));
    assert.equal((await probe(child.url)).status, 200);

    // Probes under load share one PING: 60 probes at once and 20 in a row cost a handful of PINGs, not 80.
    await sleep(1_100);
    const before = await pingCalls(redis);
    const burst = await Promise.all(Array.from({ length: 60 }, () => probe(child.url)));
    for (let i = 0; i < 20; i++) burst.push(await probe(child.url));
    assert.ok(burst.every((a) => a.status === 200));
    const pings = (await pingCalls(redis)) - before;
    assert.ok(pings <= 3, `${pings} PINGs for 80 probes`);

    redis.pause();
    const notReadyAfter = await until(child.url, 503, 5_000);
    // Well under REDIS_COMMAND_TIMEOUT (2 s) plus the kubelet's period: a hung Redis is noticed by the next probes.
    assert.ok(notReadyAfter < 2_500, `not ready after ${notReadyAfter} ms`);
    t.diagnostic(`${name}: not ready ${Math.round(notReadyAfter)} ms after SIGSTOP`);

    redis.resume();
    const readyAfter = await until(child.url, 200, 5_000);
    t.diagnostic(`${name}: ready ${Math.round(readyAfter)} ms after SIGCONT`);
  });
}
