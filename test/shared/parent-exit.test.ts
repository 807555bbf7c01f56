// A function started by a wrapper (npx, npm, the local stack) stops when that parent dies, even by SIGKILL, instead
// of living on as an orphan that holds its port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive as alive } from '../support/process.ts';
import { freePort, useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let redis: TestRedis;
before(async () => {
  redis = await useRedis();
});
after(() => redis?.close());

test('the wrapper killed with SIGKILL: the function it started stops within seconds', async () => {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, RULES_FILE: join(ROOT, 'knative', 'rules.yaml'), LOG_FORMAT: 'json' };
  // A wrapper as npx is one: a parent that starts the function and waits for it.
  const wrapper = spawn('bash', ['-c', `"${process.execPath}" functions/proxy-selector/index.ts & echo "pid=$!"; wait`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  wrapper.stdout.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 200 && !out.includes('"listening"'); i++) await sleep(50);
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  assert.ok(pid > 0 && out.includes('"listening"'), out);
  wrapper.kill('SIGKILL');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  const orphaned = alive(pid);
  if (orphaned) process.kill(pid, 'SIGKILL');
  assert.equal(orphaned, false, `the function (pid ${pid}) outlived its parent:\n${out}`);
  assert.match(out, /"parent process gone: stopping"/);
});
