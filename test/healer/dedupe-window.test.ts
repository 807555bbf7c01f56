// A redelivered result is recognised for as long as the healer would still admit it: a result is admitted while
// observedAt is within MAX_RESULT_AGE before the healer's clock (and up to MAX_CLOCK_SKEW after it), so its dedupe
// key must outlive observedAt + MAX_RESULT_AGE, or a redelivery past the key's expiry is counted a second time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { T0, deploy, podTarget, result, startHarness } from './harness.ts';

const SOURCE = '/selfheal/check-pods/web-http';

test('the dedupe key of an admitted result lives until the result is too old to be admitted', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 3);
  const id = randomUUID();
  // The checker's clock runs 20 s ahead of the healer's: inside MAX_CLOCK_SKEW (30 s), so the result is admitted.
  const observedAt = T0 + 20_000;
  h.clock.now = T0;
  const answer = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', observedAt), { id, source: SOURCE });
  assert.ok(answer.status < 300, answer.text);
  const ttl = await h.client.pttl(`{${h.prefix}}:dedupe:${SOURCE}:${id}`);
  const admittedUntil = observedAt + h.config.maxResultAgeMs;
  assert.ok(T0 + ttl >= admittedUntil, `dedupe key expires at T0+${ttl} ms, but a redelivery is admitted until T0+${admittedUntil - T0} ms`);
});

test('a failure redelivered after its dedupe key expired, still inside MAX_RESULT_AGE, is not counted twice', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 3);
  const send = (at: number, observedAt: number, id: string) => {
    h.clock.now = at;
    return h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', observedAt), { id, source: SOURCE });
  };
  // Two failures of three (failureThreshold 3); the second from a checker whose clock is 20 s ahead.
  assert.ok((await send(T0, T0, randomUUID())).status < 300);
  const second = randomUUID();
  assert.ok((await send(T0 + 10_000, T0 + 30_000, second)).status < 300);
  const key = `{${h.prefix}}:dedupe:${SOURCE}:${second}`;
  const ttl = await h.client.pttl(key);
  assert.ok(ttl > 0, 'the second result left a dedupe key');

  // The same delivery comes again once that key ran out (Redis's clock is not the test's: the key is removed as
  // Redis would have removed it by then). The result is then 10 min minus 19 s old: either it is refused as too old
  // or recognised as a duplicate; counted again it is not.
  await h.client.del(key);
  const again = await send(T0 + 10_000 + ttl + 1, T0 + 30_000, second);
  assert.ok(again.status < 500, again.text);

  const target = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(Number(target.consecutiveFailures), 2, 'one result counted once');
  assert.equal(h.evictions(), 0, 'two failures never restart a pod of a rule whose threshold is three');
});

test('a DEDUPE_TTL shorter than MAX_RESULT_AGE is refused, or a redelivery past it is still not counted twice', async (t) => {
  let h;
  try {
    h = await startHarness(t, { env: { DEDUPE_TTL: '1m', MAX_RESULT_AGE: '10m' } });
  } catch (error) {
    assert.match((error as Error).message, /DEDUPE_TTL/);
    return;
  }
  const [pod] = await deploy(h, 'shop', 'web', 3);
  const send = (at: number, id: string) => {
    h.clock.now = at;
    return h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 10_000), { id, source: SOURCE });
  };
  assert.ok((await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0), { source: SOURCE })).status < 300);
  const id = randomUUID();
  assert.ok((await send(T0 + 10_000, id)).status < 300);
  const key = `{${h.prefix}}:dedupe:${SOURCE}:${id}`;
  const ttl = await h.client.pttl(key);
  assert.ok(ttl > 0 && ttl < 5 * 60_000, `the key lives DEDUPE_TTL (${ttl} ms)`);
  // Redelivered once the key ran out (removed as Redis would have by then): the result is 70 s old.
  await h.client.del(key);
  assert.ok((await send(T0 + 10_000 + ttl + 1, id)).status < 500);
  const target = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(Number(target.consecutiveFailures), 2, 'one result counted once');
  assert.equal(h.evictions(), 0);
});
