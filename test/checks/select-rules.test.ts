import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FUNCTION_OF_KIND, RULE_KINDS, kindsOf } from '../../shared/kinds/catalog.ts';
import { ruleNameProblems, selectRules } from '../../shared/checks/select-rules.ts';
import { HttpError } from '../../shared/http/http-error.ts';
import { parseRulesYaml } from '../../shared/rules/load.ts';

const seed = parseRulesYaml(readFileSync(new URL('../../knative/rules.yaml', import.meta.url), 'utf8'), 'rules.yaml');

test('the seed rules resolve for the function that runs them', () => {
  assert.deepEqual(selectRules(seed, ['nginx-http', 'database-tcp', 'squid-config'], 'check-pods').map((r) => r.name), ['nginx-http', 'database-tcp', 'squid-config']);
  assert.deepEqual(selectRules(seed, ['backend-dependencies'], 'check-dependencies').map((r) => r.kind), ['dependency']);
  assert.deepEqual(selectRules(seed, ['squid-egress', 'squid-egress'], 'check-egress').map((r) => r.name), ['squid-egress']);
});

test('every bad name is reported at once, saying which function runs a foreign rule', () => {
  assert.deepEqual(ruleNameProblems(seed, ['nginx-http', 'nope', 'squid-egress', 'backend-dependencies'], 'check-pods'), [
    'no rule named "nope" in rules.yaml',
    'rule "squid-egress" is of kind egress: check-egress runs it, not check-pods',
    'rule "backend-dependencies" is of kind dependency: check-dependencies runs it, not check-pods',
  ]);
});

test('selectRules throws a 400 with the problems as details', () => {
  assert.throws(
    () => selectRules(seed, ['nginx-http'], 'check-egress'),
    (error: unknown) => error instanceof HttpError && error.status === 400 && /check-pods runs it, not check-egress/.test(error.message) && error.details.length === 1,
  );
});

test('each kind belongs to exactly one function', () => {
  const functions = [...new Set(Object.values(FUNCTION_OF_KIND))];
  const covered = functions.flatMap((fn) => kindsOf(fn));
  assert.deepEqual([...covered].sort(), [...RULE_KINDS].sort());
  for (const fn of functions) for (const kind of kindsOf(fn)) assert.equal(FUNCTION_OF_KIND[kind], fn);
});
