// RBAC grants each function exactly the API calls of shared/kubernetes/permissions.ts, in exactly the namespaces its rules name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FUNCTION_PERMISSIONS } from '../../shared/kubernetes/permissions.ts';
import { loadRulesFile } from '../../shared/rules/load.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import { FUNCTION_OF_KIND } from '../../shared/kinds/catalog.ts';
import {
  KNATIVE_DIR,
  NAMESPACE,
  RULES_FILE,
  bindingView,
  describe,
  functionServices,
  loadManifests,
  ofKind,
  roleView,
  serviceAccountView,
  view,
} from './manifests.ts';
import type { Manifest } from './manifests.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';
/** Namespace key of a ClusterRoleBinding's grants. */
const CLUSTER_WIDE = '*';

/** "apiGroup|resource|verb": one grant. */
type Grant = string;
const grant = (apiGroup: string, resource: string, verb: string): Grant => `${apiGroup}|${resource}|${verb}`;

function permissionGrants(fn: string): Set<Grant> {
  const perms = FUNCTION_PERMISSIONS[fn];
  assert.ok(perms, `no FUNCTION_PERMISSIONS entry for ${fn}`);
  return new Set(perms.flatMap((p) => p.verbs.map((v) => grant(p.apiGroup, p.resource, v))));
}

/** What a rule needs its function to be allowed in the rule's namespace: everything, except that only exec rules need pods/exec. */
function required(fn: string, rule: ResolvedRule): Set<Grant> {
  return new Set([...permissionGrants(fn)].filter((g) => rule.kind === 'exec' || !g.startsWith('|pods/exec|')));
}

/** The rules whose targets a function reaches: the checks' by kind, the healer's all, the proxy-selector's none. */
function rulesOf(fn: string, rules: readonly ResolvedRule[]): ResolvedRule[] {
  if (fn === 'healer') return [...rules];
  return rules.filter((r) => FUNCTION_OF_KIND[r.kind] === fn);
}

function roleGrants(m: Manifest): Set<Grant> {
  const role = view(roleView, m);
  assert.equal(role.aggregationRule, undefined, `${describe(m)}: aggregated roles cannot be checked`);
  const out = new Set<Grant>();
  for (const r of role.rules) {
    assert.equal(r.resourceNames, undefined, `${describe(m)}: resourceNames are not used by selfheal`);
    assert.equal(r.nonResourceURLs, undefined, `${describe(m)}: nonResourceURLs are not used by selfheal`);
    for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.add(grant(g, res, v));
  }
  return out;
}

/** Grants of a ServiceAccount in selfheal, per namespace (CLUSTER_WIDE for ClusterRoleBindings). */
function grantsOf(all: readonly Manifest[], serviceAccount: string): Map<string, Set<Grant>> {
  const out = new Map<string, Set<Grant>>();
  const bindings = [...ofKind(all, RBAC, 'RoleBinding'), ...ofKind(all, RBAC, 'ClusterRoleBinding')];
  for (const m of bindings) {
    const b = view(bindingView, m);
    const isSubject = b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === NAMESPACE);
    if (!isSubject) continue;
    const roles = b.roleRef.kind === 'ClusterRole' ? ofKind(all, RBAC, 'ClusterRole').filter((r) => r.name === b.roleRef.name) : ofKind(all, RBAC, 'Role').filter((r) => r.name === b.roleRef.name && r.namespace === m.namespace);
    assert.equal(roles.length, 1, `${describe(m)}: roleRef ${b.roleRef.kind}/${b.roleRef.name} must be defined once in knative/ (built-in roles cannot be checked)`);
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io', `${describe(m)}: roleRef.apiGroup`);
    const ns = m.kind === 'ClusterRoleBinding' ? CLUSTER_WIDE : (m.namespace ?? '');
    const set = out.get(ns) ?? new Set<Grant>();
    for (const g of roleGrants(roles[0]!)) set.add(g);
    out.set(ns, set);
  }
  return out;
}

const sorted = (s: Iterable<string>) => [...s].sort();

test('each function\'s ServiceAccount is granted exactly FUNCTION_PERMISSIONS[fn], nothing more, nothing less', async () => {
  const all = await loadManifests();
  const fns = functionServices(all);
  assert.deepEqual(sorted(fns.keys()), sorted(Object.keys(FUNCTION_PERMISSIONS)));
  for (const [fn, { svc }] of fns) {
    const sa = svc.spec.template.spec.serviceAccountName;
    assert.ok(sa, `${fn}: no serviceAccountName`);
    const granted = new Set<Grant>();
    for (const set of grantsOf(all, sa).values()) for (const g of set) granted.add(g);
    const expected = permissionGrants(fn);
    assert.deepEqual(sorted([...granted].filter((g) => !expected.has(g))), [], `${fn}: granted but not in FUNCTION_PERMISSIONS`);
    assert.deepEqual(sorted([...expected].filter((g) => !granted.has(g))), [], `${fn}: in FUNCTION_PERMISSIONS but not granted`);
  }
});

test('grants are per namespace: exactly the namespaces the function\'s rules name, with what those rules need there', async () => {
  const all = await loadManifests();
  const rules = (await loadRulesFile(join(KNATIVE_DIR, RULES_FILE))).rules;
  const fns = functionServices(all);
  for (const [fn, { svc }] of fns) {
    const sa = svc.spec.template.spec.serviceAccountName;
    assert.ok(sa);
    const granted = grantsOf(all, sa);
    const needed = new Map<string, Set<Grant>>();
    for (const rule of rulesOf(fn, rules)) {
      const set = needed.get(rule.namespace) ?? new Set<Grant>();
      for (const g of required(fn, rule)) set.add(g);
      needed.set(rule.namespace, set);
    }
    for (const [ns, set] of needed) if (set.size === 0) needed.delete(ns);
    assert.equal(granted.get(CLUSTER_WIDE), undefined, `${fn}: ClusterRoleBindings grant in every namespace, bind per namespace instead`);
    assert.deepEqual(sorted(granted.keys()), sorted(needed.keys()), `${fn}: namespaces bound vs namespaces its rules name`);
    for (const [ns, need] of needed) {
      assert.deepEqual(sorted(granted.get(ns) ?? []), sorted(need), `${fn} in ${ns}`);
    }
  }
});

test('no other ServiceAccount of selfheal is granted anything, and those without Kubernetes access mount no token', async () => {
  const all = await loadManifests();
  const fns = functionServices(all);
  const functionAccounts = new Set([...fns.values()].map((f) => f.svc.spec.template.spec.serviceAccountName));
  const bindings = [...ofKind(all, RBAC, 'RoleBinding'), ...ofKind(all, RBAC, 'ClusterRoleBinding')];
  for (const m of bindings) {
    const b = view(bindingView, m);
    assert.ok(b.subjects.length > 0, `${describe(m)}: no subjects`);
    for (const s of b.subjects) {
      assert.equal(s.kind, 'ServiceAccount', `${describe(m)}: subject ${s.kind}/${s.name}`);
      assert.equal(s.namespace, NAMESPACE, `${describe(m)}: subject namespace`);
      assert.ok(functionAccounts.has(s.name), `${describe(m)}: ${s.name} is not the ServiceAccount of a function`);
    }
  }
  for (const [fn, { svc }] of fns) {
    const sa = svc.spec.template.spec.serviceAccountName;
    assert.ok(sa);
    if ((FUNCTION_PERMISSIONS[fn] ?? []).length > 0) continue;
    assert.equal(grantsOf(all, sa).size, 0, `${fn}: needs no Kubernetes access but is bound`);
    const account = ofKind(all, 'v1', 'ServiceAccount').find((a) => a.name === sa);
    assert.ok(account, `${fn}: ServiceAccount ${sa} missing`);
    assert.equal(view(serviceAccountView, account).automountServiceAccountToken, false, `${fn}: ServiceAccount must not mount a token`);
  }
  // Everything else in the namespace (Redis, the dead-letter sink) runs without a token.
  for (const m of [...ofKind(all, 'serving.knative.dev/v1', 'Service'), ...ofKind(all, 'apps/v1', 'Deployment')]) {
    if ([...fns.values()].some((f) => f.manifest === m)) continue;
    // Knative Services and Deployments both keep the pod spec at spec.template.spec.
    const spec = (m.doc as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec?.template?.spec ?? {};
    assert.equal(spec.automountServiceAccountToken, false, `${describe(m)}: automountServiceAccountToken must be false`);
  }
});

test('ClusterRoles and Roles in knative/ are all used, and none grants a wildcard', async () => {
  const all = await loadManifests();
  const bindings = [...ofKind(all, RBAC, 'RoleBinding'), ...ofKind(all, RBAC, 'ClusterRoleBinding')].map((m) => view(bindingView, m));
  for (const m of [...ofKind(all, RBAC, 'ClusterRole'), ...ofKind(all, RBAC, 'Role')]) {
    assert.ok(bindings.some((b) => b.roleRef.kind === m.kind && b.roleRef.name === m.name), `${describe(m)}: never bound`);
    for (const g of roleGrants(m)) assert.ok(!g.split('|').includes('*'), `${describe(m)}: wildcard grant ${g}`);
  }
});
