import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateConnect } from '../../../shared/kinds/tcp/evaluate.ts';

test('evaluateConnect: a connect is a pass unless slower than slowMs', () => {
  assert.deepEqual(evaluateConnect(5, undefined), { passed: true, probe: { latencyMs: 5 } });
  assert.deepEqual(evaluateConnect(5, 5), { passed: true, probe: { latencyMs: 5 } });
  assert.deepEqual(evaluateConnect(6, 5), { passed: false, probe: { latencyMs: 6, slow: true, error: 'slow: connected in 6 ms, limit 5 ms' } });
});
