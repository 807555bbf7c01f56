// Measures each function's cold start: process spawn to "listening", and its memory once listening.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { startChild } from '../support/process.ts';
import { startPrivateRedis } from '../support/redis.ts';

const redis = await startPrivateRedis();
const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));
// The functions that read the cluster check at start-up that its API server accepts a connection.
const sim = await startKubeSimulator();
writeFileSync(join(dir, 'kubeconfig'), sim.kubeconfigYaml());
const env = { PORT: '0', HOST: '127.0.0.1', RULES_FILE: new URL('../../knative/rules.yaml', import.meta.url).pathname, REDIS_URL: redis.url, K_SINK: 'http://127.0.0.1:9/', KUBECONFIG: join(dir, 'kubeconfig') };
for (const fn of ['check-pods', 'check-dependencies', 'check-egress', 'healer', 'proxy-selector']) {
  const runs: number[] = [];
  let rssMb = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const child = await startChild(new URL(`../../functions/${fn}/index.ts`, import.meta.url).pathname, env);
    runs.push(performance.now() - t0);
    const status = readFileSync(`/proc/${child.proc.pid}/status`, 'utf8');
    rssMb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
    child.proc.kill('SIGTERM');
    await child.exited;
  }
  runs.sort((a, b) => a - b);
  console.log(`${fn.padEnd(20)} listening after ${runs[1]!.toFixed(0)} ms (median of 3), rss ${rssMb.toFixed(0)} MB`);
}
await redis.close();
await sim.close();
