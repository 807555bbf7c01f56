import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Problems } from '../../shared/config/problems.ts';
import { loadRulesFile, parseRules, parseRulesYaml } from '../../shared/rules/load.ts';

const sample = new URL('../../knative/rules.yaml', import.meta.url).pathname;

test('the sample rules file (the seed examples) loads with defaults filled in', async () => {
  const rules = await loadRulesFile(sample);
  assert.deepEqual(rules.rules.map((r) => r.kind).sort(), ['dependency', 'egress', 'exec', 'grpc', 'http', 'http', 'tcp']);
  const nginx = rules.get('nginx-http');
  assert.ok(nginx && nginx.kind === 'http');
  assert.deepEqual(nginx.expectedStatus, [{ min: 200, max: 399 }]);
  assert.equal(nginx.cooldown, 300_000);
  assert.equal(nginx.method, 'GET');
  const egress = rules.get('squid-egress');
  assert.ok(egress && egress.kind === 'egress');
  assert.equal(egress.proxies.primary.port, 3128);
  assert.deepEqual(rules.get('database-tcp')?.actions, ['scale', 'alert']);
  assert.ok(Object.isFrozen(rules.rules) && Object.isFrozen(nginx));
});

test('every problem is reported at once, naming the file, the rule, the field and the value', () => {
  const yaml = `
rules:
  - name: web
    kind: http
    namespace: Web
    labelSelector: "app in ("
    port: 70000
    cooldown: soon
  - name: web
    kind: tcp
    namespace: ok
    labelSelector: app=x
    port: 1
    actions: [switch-proxy]
  - kind: telepathy
  - name: db
    kind: tcp
    namespace: ok
    labelSelector: app=db
    port: 5432
    actions: [scale]
    dependsOn: [web, ghost]
`;
  assert.throws(
    () => parseRulesYaml(yaml, 'rules.yaml'),
    (error: Problems) => {
      assert.ok(error instanceof Problems);
      assert.match(error.message, /^invalid rules in rules\.yaml/);
      const p = error.problems.join('\n');
      assert.match(p, /rule "web" \(#\d\) field namespace: .*\(got "Web"\)/);
      assert.match(p, /rule "web" \(#\d\) field labelSelector: invalid selector term "app in \("/);
      assert.match(p, /rule "web" \(#\d\) field port: .*\(got 70000\)/);
      assert.match(p, /rule "web" \(#\d\) field cooldown: invalid duration "soon"/);
      assert.match(p, /rule "web" \(#\d\) field actions: "switch-proxy" is not an action for a tcp rule/);
      assert.match(p, /rule #3 field kind: .*\(got "telepathy"\)/);
      assert.match(p, /rule "db" field scale: required when actions include "scale"/);
      assert.match(p, /rule "db" field dependsOn: "web" is a tcp rule, not a dependency rule/);
      assert.match(p, /rule "db" field dependsOn: no rule named "ghost"/);
      assert.match(p, /rule "web" \(#\d\) field name: duplicate rule name/);
      return true;
    },
  );
});

test('unknown fields are refused rather than silently ignored', () => {
  assert.throws(
    () => parseRules({ rules: [{ name: 'a', kind: 'tcp', namespace: 'n', labelSelector: 'a=b', port: 1, treshold: 3 }] }, 'inline'),
    /rule "a": Unrecognized key: "treshold"/,
  );
});

test('file-level problems: unreadable, not YAML, no rules', async () => {
  await assert.rejects(loadRulesFile('/nonexistent/rules.yaml'), /invalid rules in \/nonexistent\/rules.yaml:\n  - cannot read the file/);
  assert.throws(() => parseRulesYaml('rules: [', 'x.yaml'), /x\.yaml:\n  - not valid YAML/);
  assert.throws(() => parseRulesYaml('rules: []', 'x.yaml'), /file field rules: must list at least one rule/);
});

test('status ranges and durations parse in their operator forms', () => {
  const rules = parseRules(
    { rules: [{ name: 'h', kind: 'http', namespace: 'n', labelSelector: 'a=b', port: 80, expectedStatus: [200, '300-302'], cooldown: '1h30m', verifyWindow: 45 }] },
    'inline',
  );
  const h = rules.get('h');
  assert.ok(h && h.kind === 'http');
  assert.deepEqual(h.expectedStatus, [{ min: 200, max: 200 }, { min: 300, max: 302 }]);
  assert.equal(h.cooldown, 5_400_000);
  assert.equal(h.verifyWindow, 45_000);
  assert.throws(() => parseRules({ rules: [{ name: 'h', kind: 'http', namespace: 'n', labelSelector: 'a=b', port: 80, expectedStatus: '399-200' }] }, 'i'), /invalid status range "399-200"/);
});

test('sharedCause: alert by default for pod rules, rollout-restart on request, nothing else', () => {
  const rule = (extra: string) => `
rules:
  - name: web
    kind: http
    namespace: shop
    labelSelector: app=web
    port: 8080
${extra}`;
  const byDefault = parseRulesYaml(rule(''), 'rules.yaml').get('web');
  assert.equal(byDefault && 'sharedCause' in byDefault && byDefault.sharedCause, 'alert');
  const rolled = parseRulesYaml(rule('    sharedCause: rollout-restart\n'), 'rules.yaml').get('web');
  assert.equal(rolled && 'sharedCause' in rolled && rolled.sharedCause, 'rollout-restart');
  assert.throws(
    () => parseRulesYaml(rule('    sharedCause: restart\n'), 'rules.yaml'),
    (error: Problems) => /rule "web" field sharedCause: .*\(got "restart"\)/.test(error.problems.join('\n')),
  );
});

test('an unknown field is named, not followed by a copy of the rule; a missing one says so; duplicates say which', () => {
  assert.throws(
    () =>
      parseRules(
        {
          rules: [
            { name: 'a', kind: 'tcp', namespace: 'n', labelSelector: 'a=b', port: 1, cooldwn: '5m' },
            { name: 'a', kind: 'tcp', namespace: 'n' },
          ],
        },
        'inline',
      ),
    (error: unknown) => {
      const p = (error as Problems).problems;
      assert.deepEqual(p.filter((x) => x.includes('cooldwn')), ['rule "a" (#1): Unrecognized key: "cooldwn"']);
      assert.ok(p.includes('rule "a" (#2) field labelSelector: missing (a string)'), p.join('\n'));
      assert.ok(p.includes('rule "a" (#2) field port: missing (a number)'), p.join('\n'));
      assert.ok(p.includes('rule "a" (#2) field name: duplicate rule name'), p.join('\n'));
      return true;
    },
  );
});
