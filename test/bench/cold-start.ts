// Cold start: process spawn → first CloudEvent answered, and resident memory then, for the healer and check-pods
// against bare node:http measured in the same run; as the sources run today, with Node's compile cache, and bundled
// with esbuild (one module per function, the Kubernetes client a chunk of its own loaded on first use).
// Not a test: figures for the README. Run: npm run bench -- cold-start
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request, createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventType } from '../../shared/events/types.ts';
import { freePort, startPrivateRedis } from '../support/redis.ts';
import { build } from 'esbuild';
import { bundleLikeTheImage } from './lib/bundle.ts';
import { rssOf, spawnNode } from './lib/children.ts';
import { fail, fmt, goal, median } from './lib/figures.ts';
import type { SimReady } from './lib/sim-server.ts';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const HERE = import.meta.dirname;
const ROOT = join(HERE, '../..');
const dir = mkdtempSync(join(tmpdir(), 'selfheal-cold-'));

/** POSTs until the process answers (a refused connection means it is not listening yet). */
async function firstAnswer(port: number, headers: Record<string, string>, body: string, deadline: number): Promise<number> {
  for (;;) {
    const status = await new Promise<number | undefined>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode));
      });
      req.once('error', () => resolve(undefined));
      req.end(body);
    });
    if (status !== undefined) return status;
    if (performance.now() > deadline) throw new Error(`nothing answered on port ${port}`);
    await sleep(2);
  }
}

interface Subject {
  name: string;
  command: string[];
  env: Record<string, string>;
  event: () => { headers: Record<string, string>; body: string };
}

async function measure(s: Subject): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, s.command, { env: { ...process.env, ...s.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(proc, 'exit');
  try {
    const { headers, body } = s.event();
    const status = await firstAnswer(port, headers, body, t0 + 30_000);
    const ms = performance.now() - t0;
    if (status < 200 || status >= 300) fail(`${s.name}: first CloudEvent answered ${status}\n${stderr}`);
    return { ms, rssMb: rssOf(proc.pid!).rssMb };
  } finally {
    proc.kill('SIGKILL');
    await exited;
  }
}

async function series(s: Subject): Promise<{ ms: number; rssMb: number }> {
  const runs: Array<{ ms: number; rssMb: number }> = [];
  // One run first, not counted: the page cache (and a compile cache, when the subject has one) is warm, as on a node
  // that has pulled the image.
  await measure(s);
  for (let i = 0; i < RUNS; i++) runs.push(await measure(s));
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)) };
}

const redis = await startPrivateRedis();
const sink = createServer((req, res) => req.resume().once('end', () => res.writeHead(202).end()));
const probe = createServer((_req, res) => res.writeHead(200).end('ok'));
await Promise.all([once(sink.listen(0, '127.0.0.1'), 'listening'), once(probe.listen(0, '127.0.0.1'), 'listening')]);
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/`;
const probePort = (probe.address() as { port: number }).port;
const sim = await spawnNode<SimReady>(join(HERE, 'lib/sim-server.ts'), {
  args: [JSON.stringify({ dir, namespace: 'cold', deployments: 1, podsPerDeployment: 3, labels: { app: 'cold', 'selfheal.io/enabled': 'true' }, addressPool: ['127.0.0.1'] })],
});
try {
  const rulesFile = join(dir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify({ rules: [{ name: 'cold-http', kind: 'http', namespace: 'cold', labelSelector: 'app=cold', port: probePort, path: '/' }] }));
  const common = { HOST: '127.0.0.1', LOG_LEVEL: 'info', RULES_FILE: rulesFile, KUBECONFIG: sim.ready.kubeconfig, K_SINK: sinkUrl, NODE_ENV: 'production' };
  let n = 0;
  const ce = (type: string, data: unknown) => ({
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': `cold-${process.pid}-${++n}`, 'ce-type': type, 'ce-source': '/bench/cold-start' },
    body: JSON.stringify(data),
  });
  const healerEvent = () =>
    ce(EventType.checkPassed, {
      rule: 'cold-http',
      ruleKind: 'http',
      outcome: 'passed',
      target: { namespace: 'cold', kind: 'Pod', name: `pod-${n}`, workload: { kind: 'Deployment', name: 'app-0' } },
      probe: { latencyMs: 2, status: 200 },
      observedAt: new Date().toISOString(),
      runId: `cold-${n}`,
    });
  const pingEvent = () => ce(EventType.ping, { rules: ['cold-http'] });
  const healerEnv = { ...common, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `cold-${process.pid}` };

  const bundles = join(dir, 'bundles');
  mkdirSync(bundles);
  // Bare Node runs plain JavaScript: the yardstick carries no type stripping.
  const bareJs = join(bundles, 'bare-server.mjs');
  await build({ entryPoints: [join(HERE, 'lib/bare-server.ts')], outfile: bareJs, format: 'esm', platform: 'node', target: 'node24', logLevel: 'warning' });
  const healerBundle = await bundleLikeTheImage('healer', bundles);
  const checkBundle = await bundleLikeTheImage('check-pods', bundles);
  const cache = (name: string) => ({ NODE_COMPILE_CACHE: join(dir, `cache-${name}`) });
  const subjects: Record<string, Subject> = {
    bare: { name: 'bare node:http', command: [bareJs], env: {}, event: healerEvent },
    healer: { name: 'healer, sources', command: [join(ROOT, 'functions/healer/index.ts')], env: healerEnv, event: healerEvent },
    healerCache: { name: 'healer, sources + compile cache', command: [join(ROOT, 'functions/healer/index.ts')], env: { ...healerEnv, ...cache('healer-src') }, event: healerEvent },
    healerBundle: { name: 'healer, bundle', command: [healerBundle], env: healerEnv, event: healerEvent },
    healerBundleCache: { name: 'healer, bundle + compile cache', command: [healerBundle], env: { ...healerEnv, ...cache('healer-bundle') }, event: healerEvent },
    check: { name: 'check-pods, sources', command: [join(ROOT, 'functions/check-pods/index.ts')], env: common, event: pingEvent },
    checkCache: { name: 'check-pods, sources + compile cache', command: [join(ROOT, 'functions/check-pods/index.ts')], env: { ...common, ...cache('check-src') }, event: pingEvent },
    checkBundle: { name: 'check-pods, bundle', command: [checkBundle], env: common, event: pingEvent },
    checkBundleCache: { name: 'check-pods, bundle + compile cache', command: [checkBundle], env: { ...common, ...cache('check-bundle') }, event: pingEvent },
  };
  const only = process.env.BENCH_COLD_ONLY?.split(',');
  console.log(`cold start: spawn → first CloudEvent answered (healer: a check.passed; check-pods: a ping probing 3 pods, results sent to a sink), median of ${RUNS} after one warm-up run; RSS then`);
  const bare = await series(subjects.bare!);
  console.log(`  ${'bare node:http (parse JSON, 202), .mjs'.padEnd(38)} ${fmt(bare.ms).padStart(5)} ms   rss ${fmt(bare.rssMb).padStart(3)} MB`);
  const figures: Record<string, { ms: number; rssMb: number }> = {};
  for (const [key, s] of Object.entries(subjects)) {
    if (key === 'bare' || (only && !only.includes(key))) continue;
    const r = (figures[key] = await series(s));
    console.log(`  ${s.name.padEnd(38)} ${fmt(r.ms).padStart(5)} ms   rss ${fmt(r.rssMb).padStart(3)} MB   ${(r.ms / bare.ms).toFixed(1)}× bare`);
  }
  // The goal is for what the image runs: the bundles (the compile cache bought nothing here, and the image's root
  // file system is read-only).
  for (const key of ['healerBundle', 'checkBundle']) {
    const r = figures[key];
    if (!r) continue;
    const name = subjects[key]!.name;
    goal(`cold start, ${name}`, `${(r.ms / bare.ms).toFixed(1)}× bare (${fmt(r.ms)} vs ${fmt(bare.ms)} ms)`, '≤ 4×', r.ms / bare.ms <= 4);
    goal(`RSS after the first CloudEvent, ${name}`, `${fmt(r.rssMb)} MB`, '≤ 90 MB', r.rssMb <= 90);
  }
} finally {
  await sim.stop();
  sink.close();
  probe.close();
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
}
