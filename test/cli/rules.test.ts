// selfheal rules validate and rules list, run as a child process on the shipped rules and on broken files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

const RULES = join(import.meta.dirname, '../../knative/rules.yaml');
const PINGSOURCES = join(import.meta.dirname, '../../knative/pingsources.yaml');

const BROKEN = `rules:
  - name: web
    kind: http
    namespace: Shop
    labelSelector: app=web
    port: 8080
  - name: web
    kind: tcp
    namespace: shop
    labelSelector: app=db
    port: 5432
    actions: [restart, switch-proxy]
  - name: api
    kind: http
    namespace: shop
    labelSelector: app=api
    port: 8080
    dependsOn: [nowhere]
`;

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('rules validate: the shipped rules are valid, exit 0', async () => {
  const run = await runCli(['rules', 'validate', RULES]);
  assert.deepEqual(run, { code: 0, stdout: `${RULES}: 7 rules, valid\n`, stderr: '' });
});

test('rules validate: a broken file lists every problem once, naming rule and field, exit 1', async (t) => {
  const file = join(scratch(t), 'rules.yaml');
  writeFileSync(file, BROKEN);
  const run = await runCli(['rules', 'validate', file]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines[0], `selfheal: invalid rules in ${file} (4 problems):`);
  assert.deepEqual(lines.slice(1).sort(), [
    '  - rule "api" field dependsOn: no rule named "nowhere"',
    '  - rule "web" (#2) field actions: "switch-proxy" is not an action for a tcp rule (allowed: restart, scale, rollout-restart, alert)',
    '  - rule "web" (#2) field name: duplicate rule name',
    '  - rule "web" (#1) field namespace: must be a DNS label (lowercase letters, digits, "-") (got "Shop")',
  ].sort());
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');

  const json = await runCli(['rules', 'validate', file, '--json']);
  const report = JSON.parse(json.stdout) as { valid: boolean; problems: string[] };
  assert.deepEqual([json.code, report.valid, report.problems.length], [1, false, 4]);
});

test('rules validate: a missing file and a file that is not YAML are problems too, exit 1', async (t) => {
  const dir = scratch(t);
  const missing = await runCli(['rules', 'validate', join(dir, 'none.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^selfheal: invalid rules in .*none\.yaml \(1 problem\):\n {2}- cannot read the file: ENOENT/);
  const notYaml = join(dir, 'bad.yaml');
  writeFileSync(notYaml, 'rules: [\n');
  const bad = await runCli(['rules', 'validate', notYaml]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\(1 problem\):\n {2}- not valid YAML: /);
});

test('rules list: name, kind, targets, the schedule from the PingSources beside the file, actions', async () => {
  const run = await runCli(['rules', 'list', RULES]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+KIND\s+NAMESPACE\s+TARGETS\s+SCHEDULE\s+ACTIONS$/);
  const line = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? assert.fail(`no line for ${name}`);
  assert.match(line('nginx-http'), /^nginx-http\s+http\s+web\s+app=nginx\s+\*\/10 \* \* \* \* \* \(pods-web\)\s+restart → alert$/);
  assert.match(line('backend-dependencies'), /\s+dependency\s+backend\s+services database, redis\s+5\/10 \* \* \* \* \* \(dependencies-backend\)\s+alert$/);
  assert.match(line('squid-egress'), /\s+egress\s+proxy\s+service squid: primary app=squid,role=primary, secondary app=squid,role=secondary\s+\*\/30 \* \* \* \* \* \(egress-proxy\)\s+switch-proxy → alert$/);
  assert.equal(lines.length, 8);
});

test('rules list --json: the same as data', async () => {
  const rows = JSON.parse((await runCli(['rules', 'list', RULES, '--json'])).stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(rows.find((r) => r.name === 'nginx-http'), {
    name: 'nginx-http',
    kind: 'http',
    namespace: 'web',
    targets: { labelSelector: 'app=nginx' },
    schedules: [{ pingSource: 'pods-web', schedule: '*/10 * * * * *' }],
    actions: ['restart', 'alert'],
  });
  assert.deepEqual(rows.find((r) => r.name === 'backend-dependencies')!.targets, { services: ['database', 'redis'] });
});

test('rules list: without PingSources beside the file no schedule column; --pingsources names one; a rule no PingSource names says so', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'rules.yaml');
  copyFileSync(RULES, file);
  const bare = await runCli(['rules', 'list', file]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.match(bare.stdout.split('\n')[0]!, /^NAME\s+KIND\s+NAMESPACE\s+TARGETS\s+ACTIONS$/);

  const some = join(dir, 'some.yaml');
  writeFileSync(some, 'apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: { name: only-web }\nspec:\n  schedule: "0 * * * *"\n  data: \'{"rules":["nginx-http"]}\'\n');
  const named = await runCli(['rules', 'list', file, '--pingsources', some]);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stdout, /^nginx-http\s+.*0 \* \* \* \* \(only-web\)/m);
  assert.match(named.stdout, /^squid-egress\s+.*no PingSource\s+switch-proxy → alert$/m);

  const shipped = await runCli(['rules', 'list', file, '--pingsources', PINGSOURCES]);
  assert.match(shipped.stdout, /\(pods-web\)/);
});

test('rules list: a broken file or PingSources file is listed as problems, exit 1', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, BROKEN);
  const broken = await runCli(['rules', 'list', file]);
  assert.deepEqual([broken.code, broken.stdout], [1, '']);
  assert.match(broken.stderr, /\(4 problems\)/);
  const bad = join(dir, 'ping.yaml');
  writeFileSync(bad, 'kind: PingSource\nmetadata: { name: p }\nspec: { schedule: "* * * * *", data: "rules" }\n');
  const run = await runCli(['rules', 'list', RULES, '--pingsources', bad]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^selfheal: invalid PingSources in .*ping\.yaml \(1 problem\):\n {2}- PingSource "p" field spec\.data: must be JSON naming the rules to run/);
});

test('rules: usage mistakes exit 2', async (t) => {
  for (const [args, problem] of [
    [['rules'], 'rules needs validate or list, then FILE'],
    [['rules', 'check', RULES], 'rules: unknown subcommand "check" (use validate or list)'],
    [['rules', 'list'], 'rules list needs the rules FILE (e.g. knative/rules.yaml)'],
    [['rules', 'validate', RULES, 'extra'], 'unexpected argument "extra"'],
    [['rules', 'validate', RULES, '--pingsources', PINGSOURCES], 'option --pingsources applies to rules list only'],
    [['rules', 'list', RULES, '--rule', 'x'], 'option --rule does not apply to rules'],
  ] as const) {
    await t.test(args.join(' '), async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.ok(run.stderr.startsWith(`selfheal: ${problem}\n`), run.stderr);
    });
  }
});
