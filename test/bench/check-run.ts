// Measures check-pods run times on the lab (not a test: figures for the README and the report).
// Run: npm run bench (or npx node test/bench/check-run.ts alone)
import { EventType } from '../../shared/events/types.ts';
import { postBinary } from '../support/http.ts';
import { PORTS, startLab } from '../support/check-lab.ts';

const lab = await startLab();
await lab.deploy('many', 'many', 40, 'demo', { app: 'many' });
await lab.deploy('lots', 'lots', 200, 'demo', { app: 'lots' });
const base = { kind: 'http', port: PORTS.demo, path: '/health' };
const rules = [
  { ...base, name: 'many-2s', namespace: 'many', labelSelector: 'app=many', timeoutMs: 2_000 },
  { ...base, name: 'many-60s', namespace: 'many', labelSelector: 'app=many', timeoutMs: 60_000 },
  { ...base, name: 'lots', namespace: 'lots', labelSelector: 'app=lots', timeoutMs: 2_000 },
];
const fn = await lab.start('check-pods', rules, { RUN_DEADLINE: '5s', PROBE_CONCURRENCY: '32' });

async function measure(label: string, rule: string): Promise<void> {
  lab.sink.clear();
  const started = performance.now();
  const res = await postBinary(fn.url, { id: label, type: EventType.ping, source: '/measure' }, { rules: [rule] });
  const ms = Math.round(performance.now() - started);
  const failed = lab.sink.events.filter((e) => e.type === EventType.checkFailed).length;
  console.log(`${label.padEnd(58)} status ${res.status}  targets ${lab.sink.events.length}  failed ${failed}  ${ms} ms`);
}

await measure('warm-up (client import, first list)', 'many-2s');
await measure('40 pods, all healthy', 'many-2s');
await measure('200 pods, all healthy (concurrency 32)', 'lots');
const hung = lab.sim.listPods('many', { app: 'many' }).slice(0, 5);
for (const pod of hung) lab.apps.get(pod.metadata.name)!.hang();
await measure('40 pods, 5 hanging, probe timeout 2s, deadline 5s', 'many-2s');
await measure('40 pods, 5 hanging, probe timeout 60s, deadline 5s', 'many-60s');
for (const pod of hung) lab.apps.get(pod.metadata.name)!.recover();
await lab.close();
