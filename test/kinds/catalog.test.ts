// The catalog of check kinds is whole: each kind's declaration fits together, and what is derived from the list
// (rules union, probe-detail schema, functions) covers every kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { probeSchema } from '../../shared/events/schemas.ts';
import { FUNCTION_OF_KIND, KINDS, PROBE_FIELDS, RULE_KINDS, kindsOf } from '../../shared/kinds/catalog.ts';
import { ruleSchema } from '../../shared/rules/schema.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const COMMON_PROBE_FIELDS = ['latencyMs', 'error'];
const sameType = (a: z.ZodType, b: z.ZodType) => assert.deepEqual(z.toJSONSchema(a), z.toJSONSchema(b));

/** The seed rules of knative/rules.yaml, as written (before parsing). */
async function seedRules(): Promise<Array<{ name: string; kind: string }>> {
  const text = await readFile(join(ROOT, 'knative', 'rules.yaml'), 'utf8');
  return (parseYaml(text) as { rules: Array<{ name: string; kind: string }> }).rules;
}

for (const kind of KINDS) {
  test(`${kind.name}: its rule schema's kind literal is its name`, () => {
    assert.equal(kind.rule.shape.kind.value, kind.name);
  });

  test(`${kind.name}: its check function ${kind.fn} exists as functions/${kind.fn}/index.ts`, async () => {
    await access(join(ROOT, 'functions', kind.fn, 'index.ts'));
    assert.ok(kindsOf(kind.fn).includes(kind.name));
    assert.equal(FUNCTION_OF_KIND[kind.name], kind.fn);
  });

  test(`${kind.name}: its default actions are among its allowed ones`, () => {
    assert.ok(kind.defaultActions.length > 0, 'a rule without actions must still do something');
    for (const action of kind.defaultActions) assert.ok(kind.allowedActions.includes(action), `${action} is not allowed for ${kind.name}`);
  });

  test(`${kind.name}: its probe fields are optional, do not redefine the common ones, and agree with other kinds'`, () => {
    for (const [field, schema] of Object.entries(kind.probeFields)) {
      assert.ok(!COMMON_PROBE_FIELDS.includes(field), `${field} is common to every kind`);
      assert.ok(schema.safeParse(undefined).success, `${field} must be optional: other kinds' results do not carry it`);
      for (const other of KINDS) {
        const theirs = (other.probeFields as Record<string, z.ZodType>)[field];
        if (theirs !== undefined) sameType(schema, theirs);
      }
      sameType(probeSchema.shape[field as keyof typeof probeSchema.shape], schema);
    }
  });

  test(`${kind.name}: the derived rules union parses its seed rule from knative/rules.yaml`, async () => {
    const seed = (await seedRules()).find((r) => r.kind === kind.name);
    assert.ok(seed, `knative/rules.yaml has no ${kind.name} rule`);
    const parsed = ruleSchema.safeParse(seed);
    assert.ok(parsed.success, parsed.error?.message);
    assert.equal(parsed.data.kind, kind.name);
  });
}

test('the kinds list, and the functions that run them, come from the catalog in its order', () => {
  assert.deepEqual(RULE_KINDS, KINDS.map((k) => k.name));
  assert.equal(new Set(RULE_KINDS).size, RULE_KINDS.length, 'a kind is listed twice');
  assert.deepEqual(Object.keys(FUNCTION_OF_KIND), [...RULE_KINDS]);
});

test('the probe-detail schema holds the common fields and every kind\'s, and refuses any other', () => {
  assert.deepEqual(Object.keys(probeSchema.shape).sort(), [...new Set([...COMMON_PROBE_FIELDS, ...Object.keys(PROBE_FIELDS)])].sort());
  assert.ok(!probeSchema.safeParse({ latencyMs: 1, undeclared: true }).success);
});

test('the rules union refuses a kind the catalog does not list', () => {
  const parsed = ruleSchema.safeParse({ name: 'x', kind: 'smtp', namespace: 'web' });
  assert.ok(!parsed.success);
});
