import { test } from 'node:test';
import assert from 'node:assert/strict';
import { owningWorkload } from '../../shared/kubernetes/owner-chain.ts';
import type { PodMetaLike } from '../../shared/kubernetes/owner-chain.ts';

const rs = (name: string, controller = true) => ({ kind: 'ReplicaSet', name, controller });
const cases: Array<[string, PodMetaLike, ReturnType<typeof owningWorkload>]> = [
  ['a Deployment\'s ReplicaSet names the Deployment', { labels: { 'pod-template-hash': '7d9f8' }, ownerReferences: [rs('web-7d9f8')] }, { kind: 'Deployment', name: 'web' }],
  ['dashes in the Deployment name survive', { labels: { 'pod-template-hash': 'abc' }, ownerReferences: [rs('my-web-app-abc')] }, { kind: 'Deployment', name: 'my-web-app' }],
  ['a bare ReplicaSet (no hash label) is itself', { labels: {}, ownerReferences: [rs('web-7d9f8')] }, { kind: 'ReplicaSet', name: 'web-7d9f8' }],
  ['a hash that is not the suffix', { labels: { 'pod-template-hash': 'zzz' }, ownerReferences: [rs('web-7d9f8')] }, { kind: 'ReplicaSet', name: 'web-7d9f8' }],
  ['a name that is only the hash', { labels: { 'pod-template-hash': 'abc' }, ownerReferences: [rs('-abc')] }, { kind: 'ReplicaSet', name: '-abc' }],
  ['a StatefulSet is itself', { labels: { 'pod-template-hash': 'x' }, ownerReferences: [{ kind: 'StatefulSet', name: 'db' }] }, { kind: 'StatefulSet', name: 'db' }],
  ['the controller owner wins', { ownerReferences: [{ kind: 'ConfigMap', name: 'c', controller: false }, { kind: 'DaemonSet', name: 'agent', controller: true }] }, { kind: 'DaemonSet', name: 'agent' }],
  ['no owner', { labels: { app: 'x' } }, undefined],
  ['empty owner list', { ownerReferences: [] }, undefined],
];
for (const [name, meta, expected] of cases) {
  test(`owningWorkload: ${name}`, () => assert.deepEqual(owningWorkload(meta), expected));
}
