// A function on a terminal logs one readable line per entry; piped (a file, a collector, the stack) it logs pino
// JSON; LOG_FORMAT chooses either way. The listening line names the address it is bound to.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

const ENTRY = join(import.meta.dirname, '..', '..', 'functions', 'proxy-selector', 'index.ts');
const RULES = join(import.meta.dirname, '..', '..', 'knative', 'rules.yaml');
let redis: TestRedis;
before(async () => {
  redis = await useRedis();
});
after(() => redis?.close());

/** Runs the proxy selector until it says it listens (bounded), under `script` (a terminal) or on a pipe. */
async function firstLines(opts: { tty: boolean; env?: Record<string, string> }): Promise<string> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, RULES_FILE: RULES, LOG_FORMAT: '', ...opts.env };
  const child = opts.tty
    ? spawn('script', ['-qfec', `${process.execPath} ${ENTRY}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 100 && !/listening/.test(out); i++) await sleep(100);
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  return out;
}

test('on a terminal: readable lines, no JSON; the bound address named', async () => {
  const out = await firstLines({ tty: true });
  // The colours are what a terminal gets; the words are what is checked.
  const line = out.replace(/\u001b\[\d+m/g, '').split(/\r?\n/).find((l) => l.includes('listening'));
  assert.ok(line, out);
  assert.doesNotMatch(line, /^\{/);
  assert.match(line, /\d\d:\d\d:\d\d\.\d{3} .*INFO .*proxy-selector.* listening/);
  assert.match(line, /address=127\.0\.0\.1:\d+/);
});

test('on a terminal with LOG_FORMAT=json, and on a pipe: pino JSON', async () => {
  for (const opts of [{ tty: true, env: { LOG_FORMAT: 'json' } }, { tty: false }]) {
    const out = await firstLines(opts);
    const line = out.split(/\r?\n/).find((l) => l.includes('listening'));
    assert.ok(line, out);
    const entry = JSON.parse(line) as { msg: string; address: string };
    assert.equal(entry.msg, 'listening');
    assert.match(entry.address, /^127\.0\.0\.1:\d+$/);
  }
});
