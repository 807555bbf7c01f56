// Redis calls per event through the healer's HTTP handler, counted by Redis itself (INFO commandstats on a private
// server): a pass on a healthy target is one script call, and no decision reads a whole set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../support/redis.ts';
import { T0, deploy, podTarget, result, startHarness } from './harness.ts';

/** Commands that send a read on their own, outside a script: what a round trip of the full decision is made of. */
const READS = ['hgetall', 'get', 'zcount', 'zscore', 'zmscore', 'zrangebyscore', 'hkeys'];

test('a pass on a healthy target is one EVALSHA; a failure is one pipelined read of constant size and one EVALSHA', async (t) => {
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
  assert.equal(failure.evalsha, 1, JSON.stringify(failure));
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
