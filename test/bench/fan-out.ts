// Check fan-out: check-pods (its own process, as deployed) probes 1,000 and 10,000 pods whose servers answer in
// 50 ms, at concurrency 32; the run (ping → answer, results sent to the sink included) against the ideal
// pods / concurrency × 50 ms, and the function's peak resident memory. Not a test: figures for the README.
// Run: npm run bench -- fan-out   (BENCH_FANOUT_SIZES=1000,10000 to change the sizes)
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { EventType } from '../../shared/events/types.ts';
import { freePort } from '../support/redis.ts';
import { rssOf, spawnNode } from './lib/children.ts';
import type { BenchChild } from './lib/children.ts';
import { fail, fmt, goal } from './lib/figures.ts';
import type { SimReady } from './lib/sim-server.ts';

const HERE = import.meta.dirname;
const SIZES = (process.env.BENCH_FANOUT_SIZES ?? '1000,10000').split(',').map(Number);
const CONCURRENCY = 32;
const ANSWER_MS = 50;
/** Servers the pods' addresses are spread over: every origin sees few of the 32 probes at a time, as real pods would. */
const SERVERS = 64;
const ADDRESSES = Array.from({ length: SERVERS }, (_, i) => `127.250.0.${i + 2}`);
const PER_DEPLOYMENT = 1_000;
/** A V8 heap limit (MB) for check-pods: a run that finishes within it holds no more than that, whatever its RSS. */
const HEAP_LIMIT = process.env.BENCH_FANOUT_HEAP_MB;

const dir = mkdtempSync(join(tmpdir(), 'selfheal-fanout-'));
const port = await freePort();
let probes = 0;
const servers: Server[] = [];
for (const address of ADDRESSES) {
  const server = createServer((_req, res) => {
    probes++;
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), ANSWER_MS);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, address);
  await once(server, 'listening');
  servers.push(server);
}
let received = 0;
const sink = createServer((req, res) => {
  req.resume().once('end', () => {
    received++;
    res.writeHead(202).end();
  });
});
sink.keepAliveTimeout = 60_000;
sink.listen(0, '127.0.0.1');
await once(sink, 'listening');
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/`;

const biggest = Math.max(...SIZES);
const deployments = Math.ceil(biggest / PER_DEPLOYMENT);
const sim = await spawnNode<SimReady>(join(HERE, 'lib/sim-server.ts'), {
  args: [JSON.stringify({ dir, namespace: 'fan', deployments, podsPerDeployment: PER_DEPLOYMENT, labels: { app: 'fan' }, addressPool: ADDRESSES })],
  timeoutMs: 180_000,
});
const width = String(deployments).length;
const selectorFor = (pods: number) =>
  pods >= deployments * PER_DEPLOYMENT ? 'app=fan' : `app=fan,deployment in (${Array.from({ length: Math.ceil(pods / PER_DEPLOYMENT) }, (_, d) => `app-${String(d).padStart(width, '0')}`).join(',')})`;
const rules = SIZES.map((n) => ({ name: `fan-${n}`, kind: 'http', namespace: 'fan', labelSelector: selectorFor(n), port, path: '/', timeoutMs: 5_000 }));
const rulesFile = join(dir, 'rules.json');
writeFileSync(rulesFile, JSON.stringify({ rules }));

async function ping(url: string, rule: string): Promise<number> {
  const started = performance.now();
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': `fan-${rule}-${Date.now()}`, 'ce-type': EventType.ping, 'ce-source': '/bench/fan-out' },
    body: JSON.stringify({ rules: [rule] }),
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const text = await res.body.text();
  if (res.statusCode !== 202) fail(`check-pods answered ${res.statusCode} for ${rule}: ${text.slice(0, 500)}`);
  return performance.now() - started;
}

console.log(`check fan-out: check-pods probing pods whose servers answer in ${ANSWER_MS} ms, PROBE_CONCURRENCY ${CONCURRENCY}, results sent to a sink before the ping is answered; a fresh process per size, warmed by one run over ${fmt(PER_DEPLOYMENT)} pods`);
try {
  for (const n of SIZES) {
    const fnPort = await freePort();
    const fn: BenchChild<{ url: string }> = await spawnNode(join(HERE, '../../functions/check-pods/index.ts'), {
      port: fnPort,
      nodeArgs: HEAP_LIMIT ? [`--max-old-space-size=${HEAP_LIMIT}`] : [],
      env: { PORT: String(fnPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RULES_FILE: rulesFile, KUBECONFIG: sim.ready.kubeconfig, K_SINK: sinkUrl, PROBE_CONCURRENCY: String(CONCURRENCY), RUN_DEADLINE: '300s', NODE_ENV: 'production' },
    });
    try {
      // The first run imports the Kubernetes client and opens the pools: not what is measured.
      await ping(fn.ready.url, rules[0]!.name).catch((error: unknown) => fail(`check-pods: ${(error as Error).message}\n${fn.tail()}`));
      const before = rssOf(fn.proc.pid!);
      probes = 0;
      received = 0;
      const ms = await ping(fn.ready.url, `fan-${n}`).catch((error: unknown) => fail(`check-pods, ${n} pods: ${(error as Error).message}\n${fn.tail()}`));
      const after = rssOf(fn.proc.pid!);
      if (probes !== n || received !== n) fail(`fan-${n}: ${probes} probes answered and ${received} results received, ${n} expected`);
      const ideal = (n / CONCURRENCY) * ANSWER_MS;
      console.log(`  ${fmt(n).padStart(6)} pods: ${fmt(ms).padStart(6)} ms (ideal ${fmt(ideal)} ms, ${(ms / ideal).toFixed(2)}×), rss ${fmt(before.rssMb)} → ${fmt(after.rssMb)} MB, peak ${fmt(after.peakMb)} MB`);
      goal(`check fan-out, ${fmt(n)} pods at concurrency ${CONCURRENCY}`, `${(ms / ideal).toFixed(2)}× ideal (${fmt(ms)} vs ${fmt(ideal)} ms)`, '≤ 1.2×', ms / ideal <= 1.2);
      console.log(`  peak RSS with ${fmt(n)} pods: ${fmt(after.peakMb)} MB (${fmt(after.peakMb - before.rssMb)} MB above the warmed process)`);
    } finally {
      await fn.stop();
    }
  }
} finally {
  await sim.stop();
  await Promise.all([...servers, sink].map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
}
