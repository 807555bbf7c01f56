// npm run bench [-- <case>…]: every case in turn (or those named), each in its own process so that none warms
// another, then every figure with its goal in one summary. A case that fails (a non-2xx answer above all) fails
// the bench, loudly; a goal not met does not: it is a figure to read.
import { spawn, spawnSync } from 'node:child_process';

const CASES: Record<string, { file: string; args?: string[]; lock?: boolean; what: string }> = {
  mixed: { file: 'throughput.ts', args: ['mixed'], what: 'healer vs bare node:http, 2,000 pods in 200 Deployments, failures and passes' },
  'one-deployment': { file: 'throughput.ts', args: ['one-deployment'], what: 'healer vs bare node:http, 200 pods in one Deployment' },
  failing: { file: 'throughput.ts', args: ['failing'], what: '20 vs 2,000 failing pods in one Deployment' },
  memory: { file: 'redis-memory.ts', what: 'Redis memory of 10,000 healthy targets' },
  'cold-start': { file: 'cold-start.ts', what: 'spawn → first CloudEvent answered, and RSS' },
  'fan-out': { file: 'fan-out.ts', what: 'check-pods over 1,000 and 10,000 pods' },
  // The local stack binds fixed 127.0.0.x pod addresses: never alongside the end-to-end tests.
  detection: { file: 'detection.ts', lock: true, what: 'detection to action on the local stack' },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((c) => !(c in CASES));
if (unknown.length > 0) {
  console.error(`unknown case ${unknown.join(', ')}; cases: ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}
const hasFlock = spawnSync('sh', ['-c', 'command -v flock']).status === 0;
const goals: string[] = [];
const failed: string[] = [];
const started = performance.now();

for (const name of asked.length > 0 ? asked : Object.keys(CASES)) {
  const c = CASES[name]!;
  console.log(`\n== ${name}: ${c.what}`);
  const script = [new URL(c.file, import.meta.url).pathname, ...(c.args ?? [])];
  const [cmd, args] = c.lock && hasFlock ? ['flock', ['/tmp/selfheal-e2e.lock', process.execPath, ...script]] : [process.execPath, script];
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('GOAL ')) goals.push(line.slice(5));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  console.log(`   (${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}

console.log(`\n== summary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
for (const g of goals) console.log(`  ${g}`);
if (failed.length > 0) {
  console.error(`\nBENCH FAILED: ${failed.join(', ')}`);
  process.exit(1);
}
