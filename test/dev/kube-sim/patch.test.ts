// Unit tests of the patch engines (RFC 6902, RFC 7386, strategic merge) and of the selector parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyJsonPatch, JsonPatchError } from '../../../shared/dev/kube-sim/json-patch.ts';
import { applyPatch, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from '../../../shared/dev/kube-sim/patch.ts';
import { matches, parseLabelSelector, SelectorError, selectorString } from '../../../shared/dev/kube-sim/selectors.ts';
import { ApiError } from '../../../shared/dev/kube-sim/status.ts';
import { MERGE_KEYS } from '../../../shared/dev/kube-sim/strategic-merge.ts';

test('JSON patch supports add/remove/replace/move/copy/test', () => {
  const doc = { a: { b: [1, 2] }, c: 'x' };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/a/b/-', value: 3 },
    { op: 'add', path: '/a/b/0', value: 0 },
    { op: 'replace', path: '/c', value: 'y' },
    { op: 'copy', from: '/c', path: '/d' },
    { op: 'move', from: '/d', path: '/e~1f' },
    { op: 'remove', path: '/a/b/1' },
    { op: 'test', path: '/a/b', value: [0, 2, 3] },
  ]);
  assert.deepEqual(out, { a: { b: [0, 2, 3] }, c: 'y', 'e/f': 'y' });
  assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'the input is not mutated');
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/missing', value: 1 }]), JsonPatchError);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/a/b/5' }]), JsonPatchError);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }]), JsonPatchError);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/c' }]), JsonPatchError);
});

test('merge patch: objects merge recursively, null deletes, arrays replace; bad bodies are 400', () => {
  const doc = { spec: { selector: { app: 'web', tier: 'fe' }, ports: [{ port: 80 }, { port: 81 }] } };
  const out = applyPatch(MERGE_PATCH, doc, JSON.stringify({ spec: { selector: { tier: null, track: 'x' }, ports: [{ port: 90 }] } }), MERGE_KEYS.Service);
  assert.deepEqual(out, { spec: { selector: { app: 'web', track: 'x' }, ports: [{ port: 90 }] } });
  for (const body of ['null', '5', '{nope']) {
    assert.throws(
      () => applyPatch(MERGE_PATCH, doc, body, MERGE_KEYS.Service),
      (err: unknown) => err instanceof ApiError && err.status.code === 400 && err.status.message === 'Invalid JSON Patch',
    );
  }
});

test('strategic merge: lists with a merge key merge by key, directives work, other lists replace', () => {
  const doc = {
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
      externalIPs: ['1.1.1.1'],
    },
  };
  const out = applyPatch(
    STRATEGIC_MERGE_PATCH,
    doc,
    JSON.stringify({
      spec: {
        ports: [{ port: 80, targetPort: 8081 }, { port: 9090, $patch: 'delete' }, { name: 'admin', port: 7000 }],
        externalIPs: ['2.2.2.2'],
      },
    }),
    MERGE_KEYS.Service,
  );
  assert.deepEqual(out, {
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 8081 },
        { name: 'admin', port: 7000 },
      ],
      externalIPs: ['2.2.2.2'],
    },
  });
  const replaced = applyPatch(STRATEGIC_MERGE_PATCH, { spec: { selector: { a: '1', b: '2' } } }, JSON.stringify({ spec: { selector: { $patch: 'replace', c: '3' } } }), MERGE_KEYS.Service);
  assert.deepEqual(replaced, { spec: { selector: { c: '3' } } });
});

test('label selector parsing follows the apimachinery grammar', () => {
  const labels = { app: 'web', tier: 'fe', empty: '' };
  const check = (text: string): boolean => matches(parseLabelSelector(text), labels);
  assert.equal(check(''), true);
  assert.equal(check('app=web'), true);
  assert.equal(check('app = web , tier == fe'), true);
  assert.equal(check('app!=web'), false);
  assert.equal(check('missing!=x'), true, '!= matches when the key is absent');
  assert.equal(check('missing notin (x)'), true);
  assert.equal(check('app in (api, web)'), true);
  assert.equal(check('app in (api)'), false);
  assert.equal(check('empty='), true);
  assert.equal(check('tier,!canary'), true);
  assert.equal(check('example.com/role'), false);
  for (const bad of ['app in web', 'app in (web', '=web', 'app=we b', 'app=web,,', 'app=web,']) {
    assert.throws(() => parseLabelSelector(bad), SelectorError, bad);
  }
  assert.equal(
    selectorString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }] }),
    'a=1,b=2,c in (x,y)',
  );
});
