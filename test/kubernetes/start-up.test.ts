// A function that needs the Kubernetes API and has no way to reach it exits 1 at start, within seconds, with one
// fatal line naming what is missing: the kubeconfig paths it tried and how to get one, or the API server's address.
// The real entries, spawned as a person or Knative would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';
import { RULES } from '../healer/harness.ts';
import { runToExit } from '../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FUNCTIONS = ['check-pods', 'check-dependencies', 'check-egress', 'healer'] as const;
let redis: TestRedis;
before(async () => {
  redis = await useRedis();
});
after(() => redis?.close());

function fatal(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === 'fatal')
    .map((l) => l.msg);
}

function setup(t: { after(fn: () => void): void }): { dir: string; env: Record<string, string | undefined> } {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-kube-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  return {
    dir,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      RULES_FILE: join(dir, 'rules.yaml'),
      K_SINK: 'http://127.0.0.1:9/',
      // Redis is not what these tests are about (the healer's is checked first: test/healer/start-up.test.ts).
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      KUBERNETES_SERVICE_HOST: undefined,
      KUBECONFIG: undefined,
      HOME: dir,
    },
  };
}

for (const fn of FUNCTIONS) {
  test(`${fn}: no kubeconfig is exit 1 naming the paths tried and how to get one`, async (t) => {
    const { dir, env } = setup(t);
    const home = await runToExit([join(ROOT, 'functions', fn, 'index.ts')], env);
    assert.equal(home.code, 1, home.output);
    const [line] = fatal(home.output);
    assert.ok(line, home.output);
    assert.ok(line.includes(join(dir, '.kube', 'config')), line);
    assert.match(line, /KUBECONFIG/);
    assert.match(line, /--simulate/);
    const named = await runToExit([join(ROOT, 'functions', fn, 'index.ts')], { ...env, KUBECONFIG: join(dir, 'missing.yaml') });
    assert.equal(named.code, 1, named.output);
    assert.ok(fatal(named.output)[0]?.includes(join(dir, 'missing.yaml')), named.output);
    t.diagnostic(`${fn}: exit 1 after ${Math.round(home.ms)} ms`);
  });

  test(`${fn}: an API server nobody answers at is exit 1 naming its address`, async (t) => {
    const { dir, env } = setup(t);
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'kubeconfig.yaml'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
    );
    const ended = await runToExit([join(ROOT, 'functions', fn, 'index.ts')], { ...env, KUBECONFIG: join(dir, 'kubeconfig.yaml') });
    assert.equal(ended.code, 1, ended.output);
    const [line] = fatal(ended.output);
    assert.ok(line !== undefined && line.includes(server), ended.output);
    assert.ok(line.includes(join(dir, 'kubeconfig.yaml')), line);
    assert.match(line, /ECONNREFUSED/);
    t.diagnostic(`${fn}: exit 1 after ${Math.round(ended.ms)} ms`);
  });
}
