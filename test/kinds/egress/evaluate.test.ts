import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateEgress } from '../../../shared/kinds/egress/evaluate.ts';

const OK = [{ min: 200, max: 399 }];
test('evaluateEgress: every URL must answer an expected status; the first failing one is named', () => {
  assert.deepEqual(evaluateEgress([{ url: 'http://a/', status: 200, latencyMs: 4 }, { url: 'https://b/', status: 301, latencyMs: 9 }], OK), {
    passed: true,
    probe: { latencyMs: 9 },
  });
  assert.deepEqual(evaluateEgress([{ url: 'http://a/', status: 200, latencyMs: 4 }, { url: 'https://b/', status: 503, latencyMs: 2 }], OK), {
    passed: false,
    probe: { latencyMs: 4, url: 'https://b/', status: 503, error: 'status 503 not in expected 200-399' },
  });
  assert.deepEqual(evaluateEgress([{ url: 'http://a/', error: 'timed out after 50 ms', latencyMs: 50 }, { url: 'https://b/', status: 500, latencyMs: 2 }], OK), {
    passed: false,
    probe: { latencyMs: 50, url: 'http://a/', error: 'timed out after 50 ms' },
  });
});
