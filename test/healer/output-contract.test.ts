// The contract check the harness applies to every healer reply: it passes what fits and names what does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { assertHealerOutput } from '../support/healer-output.ts';

const heal = {
  rule: 'web-http',
  target: { namespace: 'shop', kind: 'Pod', name: 'web-1' },
  action: 'restart',
  reason: 'threshold-reached',
  dryRun: false,
  consecutiveFailures: 3,
  causeId: 'e-1',
  at: '2026-11-23T12:00:00.000Z',
};

test('a heal event that fits its schema passes', () => {
  assert.doesNotThrow(() => assertHealerOutput(EventType.healPerformed, heal));
});

test('an action outside the catalog, a missing field or a stray one is named', async (t) => {
  const rows: Array<[string, unknown, RegExp]> = [
    ['unknown action', { ...heal, action: 'reboot-node' }, /action: Invalid option/],
    ['missing causeId', { ...heal, causeId: undefined }, /causeId/],
    ['stray field', { ...heal, extra: 1 }, /Unrecognized key.*extra/],
    ['a proxy switch with a bad state', { group: 'g', namespace: 'n', service: 's', from: 'primary', to: 'secondary', state: 'Broken', reason: 'x', dryRun: false, at: heal.at }, /state/],
  ];
  for (const [name, data, problem] of rows) {
    await t.test(name, () => {
      const type = name.startsWith('a proxy') ? EventType.proxySwitched : EventType.healSkipped;
      assert.throws(() => assertHealerOutput(type, data), problem);
    });
  }
});

test('a type the healer does not emit is refused', () => {
  assert.throws(() => assertHealerOutput(EventType.checkFailed, heal), /not one of its output types/);
});
