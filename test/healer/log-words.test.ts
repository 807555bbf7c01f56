// The healer's log speaks the decision model: an action taken is "acted" (an eviction is not "healed"), the later
// verdict is "healed" or "not healed", a deferral "deferred", a failure "failed"; alerts and "not healed" are
// warnings, passing results debug.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploy, podTarget, result, startHarness, T0 } from './harness.ts';

interface Line {
  level: string;
  msg: string;
  action?: string;
  reason?: string;
}

test('restart, healed, then restart, not healed, scale, not healed, alert: each line says which', async (t) => {
  const lines: string[] = [];
  const h = await startHarness(t, { logLines: lines });
  await deploy(h, 'shop', 'web', 4);
  const parsed = (): Line[] => lines.map((l) => JSON.parse(l) as Line);
  const since = (n: number) => parsed().slice(n);
  const fail = async (at: number) => {
    const pod = h.podsOf('shop', 'web').sort()[0]!;
    for (let i = 0; i < 3; i++) {
      h.clock.now = at + i * 1_000;
      assert.ok((await h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', h.clock.now))).status < 300);
    }
  };
  const pass = async (at: number) => {
    const pod = h.podsOf('shop', 'web').sort()[0]!;
    for (let i = 0; i < 2; i++) {
      h.clock.now = at + i * 1_000;
      assert.ok((await h.send(result('web-http', 'http', podTarget('shop', pod), 'passed', h.clock.now))).status < 300);
    }
  };

  let mark = lines.length;
  await fail(T0);
  const restart = since(mark).find((l) => l.action === 'restart' && l.msg.startsWith('acted'));
  assert.ok(restart, lines.join('\n'));
  assert.equal(restart.level, 'info');
  assert.ok(!since(mark).some((l) => l.msg === 'healed'), 'an eviction is not "healed"');

  mark = lines.length;
  await pass(T0 + 40_000);
  const passing = since(mark).filter((l) => l.reason === 'passing');
  assert.ok(passing.length >= 1 && passing.every((l) => l.level === 'debug'), JSON.stringify(passing));
  const healed = since(mark).find((l) => l.msg.startsWith('healed'));
  assert.ok(healed, lines.slice(mark).join('\n'));
  assert.equal(healed.level, 'info');

  await fail(T0 + 100_000);
  mark = lines.length;
  await fail(T0 + 170_000);
  const notHealed = since(mark).find((l) => l.msg.startsWith('not healed'));
  assert.ok(notHealed, lines.slice(mark).join('\n'));
  assert.equal(notHealed.level, 'warn');
  assert.ok(since(mark).some((l) => l.msg.startsWith('acted') && l.action === 'scale' && l.level === 'info'), lines.slice(mark).join('\n'));

  mark = lines.length;
  await fail(T0 + 240_000);
  const alert = since(mark).find((l) => l.msg.startsWith('acted') && l.action === 'alert');
  assert.ok(alert, lines.slice(mark).join('\n'));
  assert.equal(alert.level, 'warn');
  // One line per decision that acted: no word of the old vocabulary left.
  assert.ok(!parsed().some((l) => l.msg === 'no action' && l.reason === 'healed'), 'the healed verdict is not "no action"');
});
