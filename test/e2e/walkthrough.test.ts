// The README's walkthrough ("Sending events by hand"), followed as a person would: its shell blocks read from the
// README and run as written (only the fixed ports moved to free ones), `npm start` as the first block says, the
// hand-sent events, a pod broken by hand; then that pod is evicted and the restart judged healed within the bound the
// README states, and the commands it gives to look at the result show it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## Sending events by hand'), README.indexOf('The proxy selector:', README.indexOf('## Sending events by hand')));
const BLOCKS = [...SECTION.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** "All of it within a minute": the README's bound, from the break to the healed verdict. */
const BOUND_S = /All\s+of\s+it\s+within\s+a\s+minute/.test(SECTION) ? 60 : Number.NaN;

async function isFree(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Six free ports in a row, for --port-base (bounded tries). */
async function freePortBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let p = base; p < base + 6 && free; p++) free = await isFree(p);
    if (free) return base;
  }
  throw new Error('no six free ports in a row');
}

let redis: TestRedis;
let base: number;
let env: Record<string, string>;
let stack: ChildProcess | undefined;
const lines: string[] = [];
const logs = () => `\n--- stack output ---\n${lines.slice(-200).join('\n')}`;

/** The README's text with its fixed ports 8090–8095 moved to base … base+5. */
const moved = (text: string) => text.replace(/127\.0\.0\.1:809([0-5])\b/g, (_, d: string) => `127.0.0.1:${base + Number(d)}`).replace(/--port-base 8090\b/, `--port-base ${base}`);

async function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

type Entry = { msg?: string; data?: { action?: string; reason?: string; rule?: string; target?: { name?: string } } };
const entries = (): Entry[] => lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Entry] : []));

/** Polls the stack's output (bounded by `untilMs`) for a line that matches. */
async function waitForLine(what: string, untilMs: number, match: (e: Entry) => boolean): Promise<Entry> {
  while (Date.now() < untilMs) {
    const found = entries().find(match);
    if (found) return found;
    await sleep(200);
  }
  throw new Error(`no ${what} within the README's bound${logs()}`);
}

before(async () => {
  redis = await useRedis();
  base = await freePortBase();
  env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'LOG_LEVEL' && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  // The user's environment: the stack and the CLI both take the Redis and the prefix from it.
  Object.assign(env, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `${redis.prefix}-walkthrough` });
});

after(async () => {
  if (stack?.pid !== undefined && stack.exitCode === null) {
    process.kill(-stack.pid, 'SIGINT');
    const timer = setTimeout(() => stack?.pid !== undefined && process.kill(-stack.pid, 'SIGKILL'), 30_000);
    await once(stack, 'exit');
    clearTimeout(timer);
  }
  await redis?.close();
});

test('the walkthrough has its blocks: start, pods and reset, ping, failure, break, look', () => {
  assert.equal(BLOCKS.length, 6, BLOCKS.join('\n---\n'));
  assert.match(BLOCKS[0]!, /^npm start -- --simulate --speed 10 --port-base 8090\n$/);
  assert.equal(BOUND_S, 60);
});

test('following the README, the pod broken by hand is evicted and the restart judged healed', async (t) => {
  // 1. The stack, as the README starts it, in its own process group (npm, then node).
  stack = spawn('bash', ['-c', `exec ${moved(BLOCKS[0]!).trim()}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let buffer = '';
  stack.stdout!.on('data', (c: Buffer) => {
    buffer += c.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  stack.stderr!.on('data', (c: Buffer) => lines.push(c.toString()));
  await waitForLine('"running" line', Date.now() + 60_000, (e) => e.msg?.startsWith('running against the simulated cluster') === true);
  assert.ok(entries().some((e) => e.msg?.startsWith('simulated pods')), logs());

  // 2–5. The hand-sent events and the break, as one shell session (variables carry from block to block).
  const started = Date.now();
  // Step 4 is sent again, as the README says, while a real check of the pod landed first (stale-result); three times
  // at most.
  const [, reset, ping, failure, brk] = BLOCKS.slice(0, 5).map(moved);
  const again = `for attempt in 1 2 3; do\n  ANSWER=$(\n${failure}\n)\n  echo "$ANSWER"\n  case "$ANSWER" in *'"reason":"stale-result"'*) ;; *) break ;; esac\ndone`;
  const run = await bash(`${reset}\n${ping}\n${again}\n${brk}\necho\necho "NGINX_POD=$NGINX_POD"`);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}${logs()}`);
  const answers = [...run.stdout.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
  assert.deepEqual(answers.slice(0, 2), [202, 202], run.stdout);
  assert.ok(answers.length >= 3 && answers.length <= 5 && answers.slice(2).every((a) => a === 200), run.stdout);
  const reasons = [...run.stdout.matchAll(/"reason":"([a-z-]+)"/g)].map((m) => m[1]);
  assert.equal(reasons.at(-1), 'below-threshold', run.stdout);
  assert.ok(reasons.slice(0, -1).every((r) => r === 'stale-result'), run.stdout);
  assert.match(run.stdout, /\{"status":"failing"\}/, "the broken pod's app says it fails from now on");
  const broken = /^NGINX_POD=(\S+)$/m.exec(run.stdout)?.[1];
  assert.ok(broken, run.stdout);

  // 6. Evicted, then healed, within the README's bound.
  const until = started + BOUND_S * 1_000;
  const performed = await waitForLine(`eviction of ${broken}`, until, (e) => e.msg?.startsWith('event io.selfheal.heal.performed') === true && e.data?.target?.name === broken);
  assert.equal(performed.data?.action, 'restart', logs());
  // The line says it in words too, for the person reading the terminal.
  assert.ok(performed.msg?.startsWith(`event io.selfheal.heal.performed: restart web/pod/${broken} (threshold-reached) — evicted pod`), performed.msg);
  t.diagnostic(`evicted ${((Date.now() - started) / 1000).toFixed(1)} s after the break`);
  await waitForLine('healed verdict', until, (e) => e.msg?.startsWith('event io.selfheal.heal.skipped: healed web/pod/nginx-') === true && e.data?.rule === 'nginx-http' && e.data.reason === 'healed');
  t.diagnostic(`judged healed ${((Date.now() - started) / 1000).toFixed(1)} s after the break (README bound ${BOUND_S} s)`);
  const nginxDecisions = entries().filter((e) => e.msg?.startsWith('event io.selfheal.heal.') && e.data?.rule === 'nginx-http');
  assert.ok(!nginxDecisions.some((e) => e.data?.reason === 'cooldown' || e.data?.action === 'alert'), logs());

  // The commands the README gives to look at it.
  const look = await bash(`NGINX_POD=${broken}\n${moved(BLOCKS[5]!)}`);
  assert.equal(look.code, 0, `${look.stdout}\n${look.stderr}`);
  const [pods, history, units] = splitOutputs(look.stdout);
  assert.ok(!pods.includes(broken) && /^web +nginx-\S+ +127\./m.test(pods), pods);
  assert.match(history, /performed +threshold-reached +restart/, history);
  const row = units.split('\n').find((l) => l.includes('nginx-http'));
  const header = units.split('\n')[0]!;
  assert.ok(row, units);
  assert.equal(row.slice(header.indexOf('HEALED')).trim().split(/\s+/)[0], '1', units);
});

/** The three commands' outputs: the pod table, the history (its first line names the target id), the units table. */
function splitOutputs(stdout: string): [string, string, string] {
  const historyAt = stdout.indexOf('nginx-http:web:Pod:');
  const unitsAt = stdout.indexOf('\nRULE', historyAt) >= 0 ? stdout.indexOf('\nRULE', historyAt) + 1 : stdout.lastIndexOf('\n', stdout.indexOf('HEALED', historyAt + 1)) + 1;
  return [stdout.slice(0, historyAt), stdout.slice(historyAt, unitsAt), stdout.slice(unitsAt)];
}
