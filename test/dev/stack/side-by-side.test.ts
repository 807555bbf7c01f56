// Two simulated stacks on one machine: each picks pod addresses no other simulator holds, so both start and both
// probe their own pods; the router lists its pods and answers /healthz.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { PROJECT_ROOT, startStack } from '../../../shared/dev/stack/stack.ts';
import type { Stack } from '../../../shared/dev/stack/stack.ts';
import { useRedis } from '../../support/redis.ts';
import type { TestRedis } from '../../support/redis.ts';

let redis: TestRedis;
const stacks: Stack[] = [];
const lines: string[] = [];

before(async () => {
  redis = await useRedis();
  for (const n of [1, 2]) {
    stacks.push(
      await startStack({
        simulate: true,
        pingSchedules: false,
        redisUrl: redis.url,
        redisKeyPrefix: `${redis.prefix}-side-${n}`,
        logLevel: 'warn',
        output: { write: (line) => void lines.push(line) },
      }),
    );
  }
});

after(async () => {
  for (const s of stacks) await s.stop();
  await redis?.close();
});

const logs = () => `\n--- stack logs ---\n${lines.join('\n')}`;
const addresses = (s: Stack) => s.world!.allPods().map((p) => p.address);

test('two simulated stacks start side by side, their pods on addresses of their own', () => {
  assert.equal(stacks.length, 2, logs());
  const [a, b] = stacks.map(addresses) as [string[], string[]];
  assert.ok(a.length >= 10 && b.length === a.length, `${a.join(' ')} / ${b.join(' ')}`);
  assert.deepEqual(a.filter((x) => b.includes(x)), [], 'no address in both');
});

test('each stack probes its own pods: every nginx pod passes in both', async () => {
  for (const s of stacks) {
    const before = s.router.events.length;
    await s.router.fire('pods-web');
    const results = s.router.events.slice(before).filter((e) => (e.data as { rule?: string }).rule === 'nginx-http');
    assert.deepEqual(results.map((e) => e.type), ['io.selfheal.check.passed', 'io.selfheal.check.passed'], logs());
  }
});

test('the router answers /healthz and lists its simulated pods (namespace, name, address) at /pods', async () => {
  for (const s of stacks) {
    const health = await request(`${s.router.url}/healthz`);
    assert.equal(health.statusCode, 200);
    await health.body.dump();
    const res = await request(`${s.router.url}/pods`);
    assert.equal(res.statusCode, 200);
    const text = await res.body.text();
    for (const p of s.world!.allPods()) assert.match(text, new RegExp(`^${p.namespace} +${p.name} +${p.address.replaceAll('.', '\\.')}(\\s|$)`, 'm'), text);
    const json = await request(`${s.router.url}/pods?format=json`);
    assert.deepEqual(await json.body.json(), s.world!.allPods());
  }
});

test('/pods narrows by namespace, deployment or name, and prints names or addresses alone for a shell variable', async () => {
  const s = stacks[0]!;
  const nginx = s.world!.allPods().filter((p) => p.deployment === 'nginx');
  const get = async (query: string) => {
    const res = await request(`${s.router.url}/pods?${query}`);
    return { status: res.statusCode, text: await res.body.text() };
  };
  assert.deepEqual(await get('deployment=nginx&format=name'), { status: 200, text: nginx.map((p) => `${p.name}\n`).join('') });
  assert.deepEqual(await get(`name=${nginx[1]!.name}&format=address`), { status: 200, text: `${nginx[1]!.address}\n` });
  assert.deepEqual(JSON.parse((await get('namespace=proxy&format=json')).text).map((p: { name: string }) => p.name), s.world!.allPods().filter((p) => p.namespace === 'proxy').map((p) => p.name));
  const bad = await get('format=yaml');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /format "yaml": use table, json, name or address/);
});

test('a stack beside another, left to the manifests\' prefix, keeps its history apart: the prefix gets its address block', async (t) => {
  // A copy of knative/ whose manifests name a prefix of this test's own (the default one may hold someone's history).
  const dir = await mkdtemp(join(tmpdir(), 'selfheal-knative-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(PROJECT_ROOT, 'knative'), dir, { recursive: true });
  const base = `${redis.prefix}-manifest`;
  for (const file of ['healer.yaml', 'proxy-selector.yaml']) {
    const text = await readFile(join(dir, file), 'utf8');
    await writeFile(join(dir, file), text.replace(/(name: REDIS_KEY_PREFIX\n\s+value: )"selfheal"/, `$1"${base}"`));
  }
  const third = await startStack({ simulate: true, pingSchedules: false, redisUrl: redis.url, knativeDir: dir, logLevel: 'warn', output: { write: (line) => void lines.push(line) } });
  t.after(() => third.stop());
  const block = Number(third.world!.allPods()[0]!.address.split('.')[1]);
  assert.notEqual(block, 0, 'two stacks run already: the third is not on 127.0.0.x');
  assert.equal(third.redisKeyPrefix, `${base}-${block}`);
});
