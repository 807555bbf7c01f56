import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesRef, objectPath, parseId, parseTargetRef } from '../../shared/cli/ids.ts';

test('an id is rule:namespace:Kind:name, nothing else', () => {
  assert.deepEqual(parseId('web-http:shop:Pod:web-1'), { rule: 'web-http', namespace: 'shop', kind: 'Pod', name: 'web-1' });
  for (const bad of ['web-http:shop:Pod', 'web-http:shop:Deployment:web:failing', 'web-http::Pod:web-1', '']) assert.equal(parseId(bad), undefined, bad);
});

test('a person may name a target by id, namespace/kind/name or namespace/name', () => {
  assert.deepEqual(parseTargetRef('r:shop:Pod:web-1'), { kind: 'id', id: 'r:shop:Pod:web-1', parsed: { rule: 'r', namespace: 'shop', kind: 'Pod', name: 'web-1' } });
  assert.deepEqual(parseTargetRef('shop/pod/web-1'), { kind: 'path', namespace: 'shop', targetKind: 'pod', name: 'web-1' });
  assert.deepEqual(parseTargetRef('shop/web-1'), { kind: 'path', namespace: 'shop', name: 'web-1' });
  for (const bad of ['web-1', 'a/b/c/d', 'shop//web-1', 'r:shop:web-1']) assert.equal(parseTargetRef(bad), undefined, bad);
});

test('a path matches ids case-insensitively on the kind, any kind when it has none', () => {
  const id = parseId('r:shop:Pod:web-1')!;
  assert.ok(matchesRef(id, { kind: 'path', namespace: 'shop', targetKind: 'pod', name: 'web-1' }));
  assert.ok(matchesRef(id, { kind: 'path', namespace: 'shop', name: 'web-1' }));
  assert.ok(!matchesRef(id, { kind: 'path', namespace: 'shop', targetKind: 'Service', name: 'web-1' }));
  assert.ok(!matchesRef(id, { kind: 'path', namespace: 'other', name: 'web-1' }));
  assert.equal(objectPath(id), 'shop/Pod/web-1');
});
