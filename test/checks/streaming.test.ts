// Results leave as their probes finish: a run over thousands of pods never holds all of them, and what is known
// reaches the healer without waiting for the slowest pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { postBinary } from '../support/http.ts';
import { PORTS, startLab } from '../support/check-lab.ts';

test('the results of answered probes reach the sink while another probe of the run still waits', async (t) => {
  const lab = await startLab();
  t.after(() => lab.close());
  await lab.deploy('stream', 'web', 3, 'demo', { app: 'web' });
  const rules = [{ name: 'stream-http', kind: 'http', namespace: 'stream', labelSelector: 'app=web', port: PORTS.demo, path: '/health', timeoutMs: 60_000 }];
  const fn = await lab.start('check-pods', rules, { RUN_DEADLINE: '120s', PROBE_CONCURRENCY: '4' });
  const [slow, ...others] = lab.sim.listPods('stream', { app: 'web' }).map((p) => p.metadata.name);
  const app = lab.apps.get(slow!)!;
  app.hang();
  lab.sink.clear();
  const answer = postBinary(fn.url, { id: 'stream-1', type: EventType.ping, source: '/test/streaming' }, { rules: ['stream-http'] });
  // Collected until the run ends, these would come only after the hanging probe's 60 s timeout.
  const early = await lab.sink.waitFor(2, 20_000);
  assert.equal(app.state.hanging, true, 'the slow pod is still hanging');
  assert.deepEqual(early.map((e) => (e.data as { target: { name: string } }).target.name).sort(), [...others].sort());
  app.recover();
  const res = await answer;
  assert.equal(res.status, 202, res.text);
  const all = lab.sink.events.map((e) => [(e.data as { target: { name: string } }).target.name, e.type]);
  assert.equal(all.length, 3);
  assert.deepEqual(all.find(([name]) => name === slow), [slow, EventType.checkPassed], 'the slow pod answered once it recovered');
});
