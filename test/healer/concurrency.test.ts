import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { EventType } from '../../shared/events/types.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { postBinary } from '../support/http.ts';
import type { Answer } from '../support/http.ts';
import { startChild } from '../support/process.ts';
import { useRedis } from '../support/redis.ts';
import { OPT_IN, RULES, podTarget, result } from './harness.ts';

const entry = new URL('../../functions/healer/index.ts', import.meta.url).pathname;

test('50 concurrent failure events for one target across 4 healer processes: exactly one action', async (t) => {
  const redis = await useRedis();
  t.after(() => redis.close());
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 3, podLabels: { app: 'web', ...OPT_IN } });
  const pod = sim.listPods('shop')[0]!.metadata!.name!;
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-healers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'kubeconfig'), sim.kubeconfigYaml());
  const prefix = `${redis.prefix}-c${randomUUID().slice(0, 6)}`;
  const env = { PORT: '0', HOST: '127.0.0.1', RULES_FILE: join(dir, 'rules.yaml'), KUBECONFIG: join(dir, 'kubeconfig'), REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info' };
  const healers = await Promise.all([1, 2, 3, 4].map(() => startChild(entry, env)));
  t.after(() => healers.forEach((h) => h.proc.kill('SIGKILL')));

  const base = Date.now();
  // Each event is delivered until it is accepted, as the Broker would retry a 503 (bounded here).
  const deliver = async (i: number): Promise<Answer & { redelivered: boolean }> => {
    const data = result('web-http', 'http', podTarget('shop', pod), 'failed', base + i);
    const id = `burst-${i}`;
    for (let attempt = 0; attempt < 40; attempt++) {
      const res = await postBinary(healers[(i + attempt) % 4]!.url, { id, type: EventType.checkFailed, source: '/selfheal/check-pods/web-http' }, data);
      if (res.status !== 503) return { ...res, redelivered: attempt > 0 };
      await sleep(20 * (attempt + 1));
    }
    throw new Error(`event ${i} still refused after 40 deliveries`);
  };
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(i)));

  // A 503 may come after a commit that Redis applied but answered too late: the redelivery is then a duplicate (202).
  const unexpected = answers.filter((a) => a.status !== 200 && !(a.status === 202 && a.redelivered));
  assert.deepEqual(unexpected.map((a) => `${a.status} ${a.text}`), []);
  const performed = answers.filter((a) => a.headers['ce-type'] === EventType.healPerformed);
  assert.ok(performed.length <= 1, `${performed.length} heal.performed among the answers`);
  const evictions = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/eviction'));
  assert.equal(evictions.length, 1, 'one eviction reached the API server');
  const client = new Redis(redis.url);
  t.after(() => client.disconnect());
  const state = await client.hgetall(`{${prefix}}:target:web-http:shop:Pod:${pod}`);
  const history = await client.xlen(`{${prefix}}:history:web-http:shop:Pod:${pod}`);
  // Results arrive out of order, so some are stale and change nothing; every one is recorded.
  assert.ok(Number(state.consecutiveFailures) >= 3 && Number(state.consecutiveFailures) <= 50, state.consecutiveFailures);
  assert.equal(history, 51, 'one entry per event plus the action outcome');
});
