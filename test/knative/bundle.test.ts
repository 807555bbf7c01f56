// The image runs each function bundled (build/bundle.ts): every bundle starts and answers, and check-pods' bundle
// loads its lazily imported parts (the Kubernetes client, gRPC and its health service) on first use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionNames } from '../../build/bundle.ts';
import { EventType } from '../../shared/events/types.ts';
import { bundleLikeTheImage } from '../bench/lib/bundle.ts';
import { PORTS, resultsOf, startLab } from '../support/check-lab.ts';
import type { Lab } from '../support/check-lab.ts';
import { get, postBinary } from '../support/http.ts';
import { startChild } from '../support/process.ts';
import type { Child } from '../support/process.ts';
import { useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'selfheal-bundle-'));
const children: Child[] = [];
let lab: Lab;
let redis: TestRedis;
const rules = [
  { name: 'web-http', kind: 'http', namespace: 'web', labelSelector: 'app=web', port: PORTS.demo, path: '/health' },
  { name: 'web-grpc', kind: 'grpc', namespace: 'grpc', labelSelector: 'app=grpc', port: PORTS.grpc },
];

before(async () => {
  lab = await startLab();
  redis = await useRedis();
  await lab.deploy('web', 'web', 2, 'demo', { app: 'web' });
  await lab.deploy('grpc', 'grpc', 1, 'grpc', { app: 'grpc' });
});
after(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await lab.close();
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the image bundles every function of functions/', () => {
  assert.deepEqual(functionNames(), ['check-dependencies', 'check-egress', 'check-pods', 'healer', 'proxy-selector']);
});

for (const fn of functionNames()) {
  test(`${fn}, bundled, starts and answers its health check`, async () => {
    const entry = await bundleLikeTheImage(fn, dir);
    const { rulesFile, kubeconfig } = await lab.files(rules);
    const child = await startChild(entry, {
      RULES_FILE: rulesFile,
      KUBECONFIG: kubeconfig,
      K_SINK: lab.sink.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `${redis.prefix}-bundle`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    children.push(child);
    const health = await get(new URL("/healthz", child.url).href);
    assert.equal(health.status, 200, health.text);
    if (fn === 'check-pods') {
      lab.sink.clear();
      const res = await postBinary(child.url, { id: 'bundle-1', type: EventType.ping, source: '/test/bundle' }, { rules: ['web-http', 'web-grpc'] });
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(resultsOf(lab.sink, 'web-http').map((r) => r.type), [EventType.checkPassed, EventType.checkPassed]);
      assert.deepEqual(resultsOf(lab.sink, 'web-grpc').map((r) => r.type), [EventType.checkPassed], JSON.stringify(resultsOf(lab.sink, 'web-grpc')));
    }
    child.proc.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.lines.join('\n'));
  });
}
