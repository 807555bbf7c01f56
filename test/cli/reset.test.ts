// selfheal reset: clears every key of one prefix after a confirmation (or --yes), and nothing of any other prefix.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { useRedis } from '../support/redis.ts';
import { MAIN } from './run-cli.ts';

/** The CLI with `input` on its standard input (what a person types), or a closed one. */
async function cli(args: readonly string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'REDIS_URL' && k !== 'REDIS_KEY_PREFIX') env[k] = v;
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

test('reset deletes the keys of its prefix once confirmed, and only those', async (t) => {
  const redis = await useRedis();
  t.after(() => redis.close());
  const client = new Redis(redis.url);
  t.after(() => client.disconnect());
  const mine = `${redis.prefix}-reset`;
  const other = `${redis.prefix}-reset-other`;
  const seed = async () => {
    await client.hset(`{${mine}}:target:nginx-http:web:Pod:nginx-1`, 'consecutiveFailures', '3');
    await client.hset(`{${mine}}:failing:nginx-http`, 'x', '1');
    await client.xadd(`{${mine}}:events`, '*', 'a', '1');
    await client.set(`{${other}}:dedupe:x`, 'done');
  };
  const left = async (prefix: string) => (await client.keys(`{${prefix}}:*`)).length;
  await seed();
  const base = ['reset', '--redis', redis.url, '--prefix', mine];

  await t.test('answered no (or nothing): nothing is deleted, exit 1', async () => {
    for (const input of ['n\n', '']) {
      const run = await cli(base, input);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`delete 3 keys under \\{${mine}\\}:\\*\\? \\[y/N\\]`));
      assert.match(run.stderr, /nothing deleted/);
      assert.equal(await left(mine), 3);
    }
  });

  await t.test('answered yes: every key of the prefix goes, the other prefix stays', async () => {
    const run = await cli(base, 'y\n');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `deleted 3 keys under {${mine}}:*\n`);
    assert.equal(await left(mine), 0);
    assert.equal(await left(other), 1);
  });

  await t.test('--yes asks nothing (for scripts); an empty prefix is not an error', async () => {
    await seed();
    const run = await cli([...base, '--yes']);
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, `deleted 3 keys under {${mine}}:*\n`, '']);
    const again = await cli([...base, '--yes']);
    assert.deepEqual([again.code, again.stdout], [0, `no keys under {${mine}}:*\n`]);
    assert.equal(await left(other), 1);
  });

  await t.test('--yes applies to reset only', async () => {
    const run = await cli(['units', '--yes', '--redis', redis.url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--yes does not apply to units/);
  });
});
