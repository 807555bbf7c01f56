import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExec, exitCodeOf } from '../../../shared/kinds/exec/evaluate.ts';
import type { ExecStatus } from '../../../shared/kinds/exec/evaluate.ts';

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
