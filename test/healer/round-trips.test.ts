// Redis calls per event through the healer's HTTP handler, counted by Redis itself (INFO commandstats on a private
// server): a pass on a healthy target is one script call, and no decision reads a whole set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../support/redis.ts';
import { T0, deploy, podTarget, result, startHarness } from './harness.ts';

/** Commands that send a read on their own, outside a script: what a round trip of the full decision is made of. */
const READS = ['hgetall', 'get', 'zcount', 'zscore', 'zmscore', 'zrangebyscore', 'hkeys'];

test('a pass on a healthy target is one EVALSHA; a failure is one read script of constant size and one EVALSHA', async (t) => {
  const redis = await startPrivateRedis();
  t.after(() => redis.close());
  const h = await startHarness(t, { redis });
  const admin = new Redis(redis.url);
  t.after(() => admin.disconnect());
  const pods = await deploy(h, 'shop', 'web', 3);
  const send = async (pod: string, outcome: 'passed' | 'failed', at: number) => {
    h.clock.now = at;
    const answer = await h.send(result('web-http', 'http', podTarget('shop', pod), outcome, at));
    assert.ok(answer.status < 300, answer.text);
  };
  const calls = async (run: () => Promise<void>): Promise<Record<string, number>> => {
    await admin.config('RESETSTAT');
    await run();
    const out: Record<string, number> = {};
    for (const m of (await admin.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
    delete out['config|resetstat'];
    delete out.info;
    return out;
  };
  // The scripts are loaded once (ioredis falls back from EVALSHA to EVAL the first time).
  await send(pods[0]!, 'passed', T0);
  await send(pods[0]!, 'failed', T0 + 1);
  await send(pods[0]!, 'passed', T0 + 2);

  const pass = await calls(() => send(pods[0]!, 'passed', T0 + 10));
  assert.equal(pass.evalsha, 1, JSON.stringify(pass));
  assert.deepEqual([pass.xadd, pass.eval, pass.hgetall, pass.zcount], [undefined, undefined, undefined, undefined], JSON.stringify(pass));

  // Two other pods fail: the third one's failure reads a count of them, not the set.
  await send(pods[1]!, 'failed', T0 + 11);
  await send(pods[2]!, 'failed', T0 + 12);
  const failure = await calls(() => send(pods[0]!, 'failed', T0 + 20));
  assert.equal(failure.evalsha, 2, JSON.stringify(failure));
  assert.deepEqual(
    READS.map((c) => failure[c] ?? 0),
    // hgetall target and unit, get dedupe (and the script's own dedupe check), zcount and zscore of the unit's set.
    [2, 2, 1, 1, 0, 0, 0],
    JSON.stringify(failure),
  );

  // A pass on a failing target: the pass script hands the decision what it read, and the commit follows.
  const recovery = await calls(() => send(pods[1]!, 'passed', T0 + 30));
  assert.equal(recovery.evalsha, 2, JSON.stringify(recovery));
  assert.equal(recovery.xadd, 2, 'the first pass after a failure is recorded');
});

test('a quiet pass leaves no key of its own: the target record remembers the last one, and its redelivery is a duplicate', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const p = `{${h.prefix}}`;
  const source = '/selfheal/check-pods/web-http';
  const pass = (id: string, at: number) => {
    h.clock.now = at;
    return h.send(result('web-http', 'http', podTarget('shop', pod!), 'passed', at), { id, source });
  };
  assert.ok((await pass('first', T0)).status < 300);
  const before = await h.client.keys(`${p}:dedupe:*`);
  for (let i = 1; i <= 20; i++) assert.ok((await pass(`quiet-${i}`, T0 + i * 10_000)).status < 300);
  assert.deepEqual(await h.client.keys(`${p}:dedupe:*`), before, 'quiet passes add no dedupe keys');
  const key = `${p}:target:web-http:shop:Pod:${pod}`;
  assert.equal(Number(await h.client.hget(key, 'consecutivePasses')), 21);

  // The last one delivered again (a Trigger's retry): not counted twice.
  const again = await pass('quiet-20', T0 + 200_000);
  assert.ok(again.status < 300, again.text);
  assert.equal(Number(await h.client.hget(key, 'consecutivePasses')), 21, 'a redelivered quiet pass is not counted again');
  // An older one delivered again is stale: not counted either.
  const older = await pass('quiet-5', T0 + 50_000);
  assert.ok(older.status < 300, older.text);
  assert.equal(Number(await h.client.hget(key, 'consecutivePasses')), 21);
});
