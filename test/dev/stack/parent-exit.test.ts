// `npm start` whose npm wrapper is killed (SIGKILL: no signal reaches the stack) stops as on Ctrl-C, and every
// function it started goes with it: nothing is left holding a port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive as alive } from '../../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

test('the wrapper of the stack killed: the stack and its functions stop', async () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  Object.assign(env, { LOG_LEVEL: 'info', LOG_FORMAT: 'json', REDIS_KEY_PREFIX: `stack-parent-${process.pid}` });
  const wrapper = spawn('bash', ['-c', `"${process.execPath}" shared/dev/stack/main.ts --simulate & echo "pid=$!"; wait`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  wrapper.stdout.on('data', (c: Buffer) => (out += c.toString()));
  wrapper.stderr.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 600 && !out.includes('running against the simulated cluster'); i++) await sleep(100);
  const stack = Number(/pid=(\d+)/.exec(out)?.[1]);
  const functions = [...out.matchAll(/"pid":(\d+),"msg":"[a-z-]+ ready"/g)].map((m) => Number(m[1]));
  assert.equal(functions.length, 5, out);
  wrapper.kill('SIGKILL');
  const all = [stack, ...functions];
  for (let i = 0; i < 400 && all.some(alive); i++) await sleep(100);
  const left = all.filter(alive);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  assert.deepEqual(left, [], `still running after the wrapper died:\n${out.slice(-3000)}`);
});
