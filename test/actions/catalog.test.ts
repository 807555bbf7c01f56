// The action catalog is the one list: names unique, conversions safe, and RBAC derived from what each action declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_CATALOG, ACTIONS, traitsOf } from '../../shared/actions/catalog.ts';
import { FUNCTION_PERMISSIONS } from '../../shared/kubernetes/permissions.ts';
import { ruleSchema } from '../../shared/rules/schema.ts';

test('action names are unique, and each action is the module of its name', () => {
  assert.equal(new Set(ACTIONS).size, ACTIONS.length);
  for (const name of ACTIONS) assert.ok(existsSync(join(import.meta.dirname, '../../shared/actions', `${name}.ts`)), `shared/actions/${name}.ts`);
});

test('what an action becomes behind a failing dependency or a shared cause is a catalog action that touches nothing', () => {
  for (const spec of ACTION_CATALOG) {
    for (const to of [spec.whileDependencyFails, spec.whenSharedCause]) {
      if (to === undefined) continue;
      assert.ok((ACTIONS as readonly string[]).includes(to), `${spec.name} becomes ${to}, which is not in the catalog`);
      const t = traitsOf(to as (typeof ACTIONS)[number]);
      assert.deepEqual([t.budgeted, t.readsPod, t.replacesPod], [false, false, false], `${spec.name} becomes ${to}, which changes the cluster`);
    }
  }
});

test('the healer is granted every permission each action declares', () => {
  const granted = new Set(FUNCTION_PERMISSIONS.healer!.flatMap((p) => p.verbs.map((v) => `${p.apiGroup}|${p.resource}|${v}`)));
  for (const spec of ACTION_CATALOG) {
    for (const p of spec.permissions) for (const v of p.verbs) assert.ok(granted.has(`${p.apiGroup}|${p.resource}|${v}`), `${spec.name}: ${p.resource} ${v}`);
  }
  // Besides the actions' own, the healer only reads pods (the re-read before acting, the workload's pods) and
  // records Kubernetes Events (create, and patch for a series).
  const declared = new Set(ACTION_CATALOG.flatMap((a) => a.permissions.flatMap((p) => p.verbs.map((v) => `${p.apiGroup}|${p.resource}|${v}`))));
  assert.deepEqual([...granted].filter((g) => !declared.has(g)).sort(), ['events.k8s.io|events|create', 'events.k8s.io|events|patch', '|pods|get', '|pods|list'].sort());
});

test('the rules schema takes the catalog names in actions, and nothing else', () => {
  const rule = { name: 'r', kind: 'http', namespace: 'shop', labelSelector: 'app=web', port: 8080 };
  assert.ok(ruleSchema.safeParse({ ...rule, actions: ['restart', 'alert'] }).success);
  const bad = ruleSchema.safeParse({ ...rule, actions: ['reboot-node'] });
  assert.ok(!bad.success);
  assert.match(bad.error.issues[0]!.message, /restart.*scale.*alert.*switch-proxy/);
});
