// The grpc kind's judgement, one row per answer: only SERVING passes; UNIMPLEMENTED and NOT_FOUND blame the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeName, evaluateGrpc } from '../../../shared/kinds/grpc/evaluate.ts';
import type { GrpcAnswer } from '../../../shared/kinds/grpc/evaluate.ts';
import type { Verdict } from '../../../shared/probes/verdict.ts';

const whole = { service: '', timeoutMs: 1_000 };
const named = { service: 'payments.v1.Payments', timeoutMs: 1_000 };

const rows: Array<[string, GrpcAnswer, typeof whole & { slowMs?: number }, Verdict]> = [
  ['SERVING passes', { latencyMs: 3, servingStatus: 'SERVING' }, whole, { passed: true, probe: { latencyMs: 3, servingStatus: 'SERVING' } }],
  ['NOT_SERVING fails', { latencyMs: 3, servingStatus: 'NOT_SERVING' }, whole, { passed: false, probe: { latencyMs: 3, servingStatus: 'NOT_SERVING', error: 'the server is NOT_SERVING' } }],
  ['UNKNOWN fails', { latencyMs: 3, servingStatus: 'UNKNOWN' }, named, { passed: false, probe: { latencyMs: 3, servingStatus: 'UNKNOWN', error: 'service "payments.v1.Payments" is UNKNOWN' } }],
  ['SERVICE_UNKNOWN fails', { latencyMs: 3, servingStatus: 'SERVICE_UNKNOWN' }, named, { passed: false, probe: { latencyMs: 3, servingStatus: 'SERVICE_UNKNOWN', error: 'service "payments.v1.Payments" is SERVICE_UNKNOWN' } }],
  ['a status the proto does not name fails', { latencyMs: 3, servingStatus: '7' }, whole, { passed: false, probe: { latencyMs: 3, servingStatus: '7', error: 'the server is 7' } }],
  ['SERVING past slowMs fails as slow', { latencyMs: 30, servingStatus: 'SERVING' }, { ...whole, slowMs: 20 }, { passed: false, probe: { latencyMs: 30, servingStatus: 'SERVING', slow: true, error: 'slow: answered in 30 ms, limit 20 ms' } }],
  ['SERVING within slowMs passes', { latencyMs: 20, servingStatus: 'SERVING' }, { ...whole, slowMs: 20 }, { passed: true, probe: { latencyMs: 20, servingStatus: 'SERVING' } }],
  [
    'UNIMPLEMENTED is an error of the rule, not of the pod',
    { latencyMs: 2, code: 12, details: '' },
    whole,
    { passed: false, probe: { latencyMs: 2, grpcCode: 12, error: "UNIMPLEMENTED: the server has no grpc.health.v1.Health service; check the rule's port, or serve the health service" }, inconclusive: 'rule-error' },
  ],
  [
    'NOT_FOUND is an error of the rule, naming the service',
    { latencyMs: 2, code: 5, details: 'unknown service' },
    named,
    { passed: false, probe: { latencyMs: 2, grpcCode: 5, error: `NOT_FOUND: the health service does not know service "payments.v1.Payments"; check the rule's service` }, inconclusive: 'rule-error' },
  ],
  ['DEADLINE_EXCEEDED is the rule timeout', { latencyMs: 1_001, code: 4, details: 'Deadline exceeded after 1.001s' }, whole, { passed: false, probe: { latencyMs: 1_001, grpcCode: 4, error: 'timed out after 1000 ms' } }],
  [
    'UNAVAILABLE (connection refused) fails, without grpc-js\' empty resolution note',
    { latencyMs: 1, code: 14, details: 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.9:9090. Resolution note: ' },
    whole,
    { passed: false, probe: { latencyMs: 1, grpcCode: 14, error: 'UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.9:9090' } },
  ],
  ['PERMISSION_DENIED fails', { latencyMs: 1, code: 7, details: 'no' }, whole, { passed: false, probe: { latencyMs: 1, grpcCode: 7, error: 'PERMISSION_DENIED: no' } }],
];

for (const [name, answer, expect, verdict] of rows) {
  test(`evaluateGrpc: ${name}`, () => assert.deepEqual(evaluateGrpc(answer, expect), verdict));
}

test('codeName: the names of gRPC status codes, and a number it does not know', () => {
  assert.deepEqual([0, 4, 5, 12, 14, 16, 17].map(codeName), ['OK', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'UNIMPLEMENTED', 'UNAVAILABLE', 'UNAUTHENTICATED', 'code 17']);
});
