// The readable line: time, level, who, the message, then what helps a person (the rule, the target, the address),
// without the ids and payloads that are for machines (they stay in the JSON).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLine } from '../../shared/log/pretty.ts';

test('a check failure: the words and the fields a person reads, no event ids', () => {
  const line = formatLine(
    JSON.stringify({
      level: 'warn',
      time: '2026-11-23T12:00:01.234Z',
      fn: 'check-pods',
      name: 'check-pods',
      ceId: '9ac71b5d-8e6f-4eba-85f8-0f6cf5921feb',
      ceType: 'dev.knative.sources.ping',
      rules: 'nginx-http',
      runId: '1f95c7ac-06f3-4b5f-94dd-2b9676ea894f',
      rule: 'nginx-http',
      target: 'web/pod/nginx-1',
      address: '127.0.0.2:8080',
      probe: { latencyMs: 3, status: 500 },
      msg: 'check failed: status 500',
    }),
    false,
  );
  assert.equal(line, '12:00:01.234 WARN  check-pods         check failed: status 500  rule=nginx-http target=web/pod/nginx-1 address=127.0.0.2:8080 probe={"latencyMs":3,"status":500}');
});

test('an event the Broker took: its message tells it, its payload stays in the JSON', () => {
  const line = formatLine(
    JSON.stringify({ level: 'info', time: '2026-11-23T12:00:02.000Z', fn: 'router', ceId: 'x', ceType: 'io.selfheal.heal.performed', source: '/selfheal/healer/nginx-http', subject: 'web/pod/nginx-1', from: 'reply of healer', data: { action: 'restart' }, msg: 'event io.selfheal.heal.performed: restart web/pod/nginx-1 (threshold-reached)' }),
    false,
  );
  assert.equal(line, '12:00:02.000 INFO  router             event io.selfheal.heal.performed: restart web/pod/nginx-1 (threshold-reached)');
});
