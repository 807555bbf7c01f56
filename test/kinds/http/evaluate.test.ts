import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHttp, httpFailure } from '../../../shared/kinds/http/evaluate.ts';
import type { HttpAnswer, HttpExpectation } from '../../../shared/kinds/http/evaluate.ts';
import { fieldAt } from '../../../shared/kinds/http/json-field.ts';

const KUBELET = [{ min: 200, max: 399 }];
const answer = (over: Partial<HttpAnswer> = {}): HttpAnswer => ({ status: 200, body: '', truncated: false, latencyMs: 10, ...over });

const cases: Array<[string, HttpAnswer, HttpExpectation, string | undefined]> = [
  ['200 in the kubelet range', answer(), { expectedStatus: KUBELET }, undefined],
  ['399 is the top of the range', answer({ status: 399 }), { expectedStatus: KUBELET }, undefined],
  ['400 is not', answer({ status: 400 }), { expectedStatus: KUBELET }, 'status 400 not in expected 200-399'],
  ['500 is not', answer({ status: 500 }), { expectedStatus: KUBELET }, 'status 500 not in expected 200-399'],
  ['a list of ranges', answer({ status: 404 }), { expectedStatus: [{ min: 200, max: 200 }, { min: 404, max: 404 }] }, undefined],
  ['a single status named in the message', answer({ status: 201 }), { expectedStatus: [{ min: 200, max: 200 }, { min: 204, max: 204 }] }, 'status 201 not in expected 200, 204'],
  ['regex matches', answer({ body: 'all systems go' }), { expectedStatus: KUBELET, body: { regex: 'systems\\s+go' } }, undefined],
  ['regex does not match', answer({ body: 'degraded' }), { expectedStatus: KUBELET, body: { regex: '^ok$' } }, 'body does not match /^ok$/'],
  ['regex on a cut body says so', answer({ body: 'x', truncated: true }), { expectedStatus: KUBELET, body: { regex: 'y' } }, 'body does not match /y/ (body cut at the read limit)'],
  ['json field equals', answer({ body: '{"status":"ok"}' }), { expectedStatus: KUBELET, body: { json: { field: 'status', equals: 'ok' } } }, undefined],
  ['nested json field', answer({ body: '{"checks":{"db":{"up":true}}}' }), { expectedStatus: KUBELET, body: { json: { field: 'checks.db.up', equals: true } } }, undefined],
  ['json field by array index', answer({ body: '{"items":[{"n":3}]}' }), { expectedStatus: KUBELET, body: { json: { field: 'items.0.n', equals: 3 } } }, undefined],
  ['json field differs', answer({ body: '{"status":"failing"}' }), { expectedStatus: KUBELET, body: { json: { field: 'status', equals: 'ok' } } }, 'JSON field status is "failing", expected "ok"'],
  ['json field of another type', answer({ body: '{"n":"3"}' }), { expectedStatus: KUBELET, body: { json: { field: 'n', equals: 3 } } }, 'JSON field n is "3", expected 3'],
  ['json null is a value', answer({ body: '{"err":null}' }), { expectedStatus: KUBELET, body: { json: { field: 'err', equals: null } } }, undefined],
  ['json field missing', answer({ body: '{"other":1}' }), { expectedStatus: KUBELET, body: { json: { field: 'status', equals: 'ok' } } }, 'JSON field status is missing'],
  ['json path through a scalar', answer({ body: '{"a":1}' }), { expectedStatus: KUBELET, body: { json: { field: 'a.b', equals: 1 } } }, 'JSON field a.b is missing'],
  ['body not json', answer({ body: '<html>' }), { expectedStatus: KUBELET, body: { json: { field: 'status', equals: 'ok' } } }, 'body is not JSON'],
  ['status is checked before the body', answer({ status: 503, body: '{"status":"ok"}' }), { expectedStatus: KUBELET, body: { json: { field: 'status', equals: 'ok' } } }, 'status 503 not in expected 200-399'],
  ['fast enough', answer({ latencyMs: 100 }), { expectedStatus: KUBELET, slowMs: 100 }, undefined],
  ['too slow', answer({ latencyMs: 101 }), { expectedStatus: KUBELET, slowMs: 100 }, 'slow: answered in 101 ms, limit 100 ms'],
  ['no slow limit', answer({ latencyMs: 99_999 }), { expectedStatus: KUBELET }, undefined],
];

for (const [name, given, expect, reason] of cases) {
  test(`httpFailure: ${name}`, () => {
    assert.equal(httpFailure(given, expect), reason);
  });
}

test('evaluateHttp: a pass carries status and latency, no error', () => {
  assert.deepEqual(evaluateHttp(answer({ status: 204, latencyMs: 7 }), { expectedStatus: KUBELET }), { passed: true, probe: { latencyMs: 7, status: 204 } });
});

test('evaluateHttp: a slow answer fails with slow: true and its latency', () => {
  assert.deepEqual(evaluateHttp(answer({ latencyMs: 250 }), { expectedStatus: KUBELET, slowMs: 200 }), {
    passed: false,
    probe: { latencyMs: 250, status: 200, slow: true, error: 'slow: answered in 250 ms, limit 200 ms' },
  });
});

test('evaluateHttp: a wrong status that is also slow is reported for its status, and marked slow', () => {
  const verdict = evaluateHttp(answer({ status: 500, latencyMs: 250 }), { expectedStatus: KUBELET, slowMs: 200 });
  assert.equal(verdict.passed, false);
  assert.equal(verdict.probe.error, 'status 500 not in expected 200-399');
  assert.equal(verdict.probe.slow, true);
});

test('fieldAt: own properties only, so "constructor" or "__proto__" never read as present', () => {
  assert.deepEqual(fieldAt({}, 'constructor'), { found: false });
  assert.deepEqual(fieldAt({ a: { b: 0 } }, 'a.b'), { found: true, value: 0 });
  assert.deepEqual(fieldAt([1, 2], '1'), { found: true, value: 2 });
});
