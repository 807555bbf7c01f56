// npm run bench: every benchmark in turn, each in its own process so none warms another.
import { spawnSync } from 'node:child_process';

for (const bench of ['cold-start.ts', 'healer-throughput.ts', 'check-run.ts', 'detection.ts']) {
  console.log(`\n== ${bench}`);
  const run = spawnSync(process.execPath, [new URL(bench, import.meta.url).pathname], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
