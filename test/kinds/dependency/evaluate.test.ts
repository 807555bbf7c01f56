import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countReady, evaluateEndpoints } from '../../../shared/kinds/dependency/evaluate.ts';
import type { SliceLike } from '../../../shared/kinds/dependency/evaluate.ts';

const sliceCases: Array<[string, SliceLike[], number]> = [
  ['no slices', [], 0],
  ['a slice without endpoints', [{ endpoints: null }], 0],
  ['ready true counts', [{ endpoints: [{ conditions: { ready: true } }] }], 1],
  ['ready false does not', [{ endpoints: [{ conditions: { ready: false } }] }], 0],
  ['nil ready counts as ready', [{ endpoints: [{ conditions: {} }, { conditions: { ready: null } }, {}] }], 3],
  ['across slices', [{ endpoints: [{ conditions: { ready: true } }] }, { endpoints: [{ conditions: { ready: false } }, { conditions: { ready: true } }] }], 2],
  [
    'one pod in two slices (dual stack) counts once',
    [
      { endpoints: [{ addresses: ['10.0.0.5'], targetRef: { uid: 'pod-a' }, conditions: { ready: true } }] },
      { endpoints: [{ addresses: ['fd00::5'], targetRef: { uid: 'pod-a' }, conditions: { ready: true } }] },
    ],
    1,
  ],
  ['without a targetRef, by address', [{ endpoints: [{ addresses: ['10.0.0.5'] }] }, { endpoints: [{ addresses: ['10.0.0.5'] }, { addresses: ['10.0.0.6'] }] }], 2],
];
for (const [name, slices, expected] of sliceCases) {
  test(`countReady: ${name}`, () => assert.equal(countReady(slices), expected));
}

test('evaluateEndpoints: at minReady passes, below fails naming both numbers', () => {
  assert.deepEqual(evaluateEndpoints(2, 2, 3), { passed: true, probe: { latencyMs: 3, readyEndpoints: 2, minReady: 2 } });
  assert.deepEqual(evaluateEndpoints(1, 2, 3), { passed: false, probe: { latencyMs: 3, readyEndpoints: 1, minReady: 2, error: '1 ready endpoint, need 2' } });
  assert.equal(evaluateEndpoints(0, 1, 0).probe.error, '0 ready endpoints, need 1');
});
