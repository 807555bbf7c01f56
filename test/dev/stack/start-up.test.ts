// `npm start` that cannot start says why within seconds and exits 1: no kubeconfig (the paths tried), an API server
// nobody answers at (its address), a Redis that refuses (its URL, without the password). The real entry, spawned.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../support/redis.ts';
import { runToExit } from '../../support/process.ts';

const MAIN = join(import.meta.dirname, '..', '..', '..', 'shared', 'dev', 'stack', 'main.ts');
const WITHIN_MS = 15_000;

// Past the bound: SIGINT, as a person's Ctrl-C, so the stack stops what it started; the test fails anyway.
const runStack = (args: string[], env: Record<string, string | undefined>) => runToExit([MAIN, ...args], env, WITHIN_MS, 'SIGINT');

function fatal(output: string): string {
  const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string });
  return lines.filter((l) => l.level === 'fatal').map((l) => l.msg).join('\n');
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-stack-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('without --simulate and without a kubeconfig: exit 1 naming the path tried and how to get one', async (t) => {
  const dir = tempDir(t);
  const ended = await runStack([], { HOME: dir, KUBECONFIG: undefined, KUBERNETES_SERVICE_HOST: undefined });
  assert.equal(ended.code, 1, ended.output);
  const said = fatal(ended.output);
  assert.ok(said.includes(join(dir, '.kube', 'config')), ended.output);
  assert.match(said, /npm start -- --simulate/);
});

test('without --simulate, an API server nobody answers at: exit 1 naming its address', async (t) => {
  const dir = tempDir(t);
  const server = `https://127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  const ended = await runStack([], { KUBECONFIG: join(dir, 'kubeconfig'), KUBERNETES_SERVICE_HOST: undefined });
  assert.equal(ended.code, 1, ended.output);
  assert.ok(fatal(ended.output).includes(`cannot reach the Kubernetes API server at ${server}`), ended.output);
  t.diagnostic(`exit 1 after ${Math.round(ended.ms)} ms`);
});

test('--simulate with a REDIS_URL that refuses: exit 1 within seconds naming the URL, never the password', async (t) => {
  const port = await freePort();
  const ended = await runStack(['--simulate'], { REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}`, LOG_LEVEL: 'info' });
  assert.equal(ended.code, 1, ended.output);
  assert.doesNotMatch(ended.output, /s3cret-pw/);
  assert.ok(fatal(ended.output).includes(`redis://:****@127.0.0.1:${port}`), ended.output);
  t.diagnostic(`exit 1 after ${Math.round(ended.ms)} ms`);
});
