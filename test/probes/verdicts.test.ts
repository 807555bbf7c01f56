import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateConnect } from '../../shared/probes/evaluate-connect.ts';
import { evaluateEgress } from '../../shared/probes/evaluate-egress.ts';
import { evaluateExec, exitCodeOf } from '../../shared/probes/exec-status.ts';
import type { ExecStatus } from '../../shared/probes/exec-status.ts';
import { countReady, evaluateEndpoints } from '../../shared/probes/ready-endpoints.ts';
import type { SliceLike } from '../../shared/probes/ready-endpoints.ts';
import { fieldAt } from '../../shared/probes/json-field.ts';

const exitCases: Array<[string, ExecStatus, ReturnType<typeof exitCodeOf>]> = [
  ['Success is 0', { status: 'Success' }, { exitCode: 0 }],
  ['Failure with an ExitCode cause', { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }, { exitCode: 3 }],
  ['the ExitCode cause among others', { status: 'Failure', details: { causes: [{ reason: 'Other', message: 'x' }, { reason: 'ExitCode', message: '137' }] } }, { exitCode: 137 }],
  ['Failure without a code', { status: 'Failure', message: 'container not found ("nope")' }, { error: 'exec failed: container not found ("nope")' }],
  ['a garbled code', { status: 'Failure', reason: 'InternalError', details: { causes: [{ reason: 'ExitCode', message: 'many' }] } }, { error: 'exec failed: InternalError' }],
];
for (const [name, status, expected] of exitCases) {
  test(`exitCodeOf: ${name}`, () => assert.deepEqual(exitCodeOf(status), expected));
}

test('evaluateExec: exit 0 passes, others fail with code and output', () => {
  assert.deepEqual(evaluateExec({ status: 'Success' }, 'fine\n', 12), { passed: true, probe: { latencyMs: 12, exitCode: 0, output: 'fine\n' } });
  assert.deepEqual(evaluateExec({ status: 'Failure', details: { causes: [{ reason: 'ExitCode', message: '2' }] } }, 'bad config', 5), {
    passed: false,
    probe: { latencyMs: 5, exitCode: 2, output: 'bad config', error: 'exit code 2' },
  });
});

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

test('evaluateConnect: a connect is a pass unless slower than slowMs', () => {
  assert.deepEqual(evaluateConnect(5, undefined), { passed: true, probe: { latencyMs: 5 } });
  assert.deepEqual(evaluateConnect(5, 5), { passed: true, probe: { latencyMs: 5 } });
  assert.deepEqual(evaluateConnect(6, 5), { passed: false, probe: { latencyMs: 6, slow: true, error: 'slow: connected in 6 ms, limit 5 ms' } });
});

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

test('fieldAt: own properties only, so "constructor" or "__proto__" never read as present', () => {
  assert.deepEqual(fieldAt({}, 'constructor'), { found: false });
  assert.deepEqual(fieldAt({ a: { b: 0 } }, 'a.b'), { found: true, value: 0 });
  assert.deepEqual(fieldAt([1, 2], '1'), { found: true, value: 2 });
});
