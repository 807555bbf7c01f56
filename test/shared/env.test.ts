import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healerEnvSchema, parseEnv } from '../../shared/config/env.ts';
import { Problems } from '../../shared/config/problems.ts';

test('defaults fill an empty environment, and durations parse', () => {
  const env = parseEnv(healerEnvSchema, { BUDGET_WINDOW: '30m', ALLOWED_NAMESPACES: 'web, backend,' });
  assert.equal(env.PORT, 8080);
  assert.equal(env.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(env.BUDGET_WINDOW, 1_800_000);
  assert.deepEqual(env.ALLOWED_NAMESPACES, ['web', 'backend']);
  assert.equal(env.DRY_RUN, false);
  assert.equal(env.DEDUPE_TTL, 660_000);
  assert.ok(Object.isFrozen(env));
});

test('a dedupe window shorter than the time a result is admitted is refused, naming the value', () => {
  assert.throws(
    () => parseEnv(healerEnvSchema, { DEDUPE_TTL: '10m' }),
    /DEDUPE_TTL: must be at least MAX_RESULT_AGE \+ MAX_CLOCK_SKEW \(630 s\).*\(got "10m"\)/,
  );
  assert.throws(() => parseEnv(healerEnvSchema, { TARGET_TTL: '5m' }), /TARGET_TTL: must be at least MAX_RESULT_AGE \+ MAX_CLOCK_SKEW \(630 s\).*\(got "5m"\)/);
  // Admission shortened with it, a short window is fine.
  assert.equal(parseEnv(healerEnvSchema, { DEDUPE_TTL: '1m', MAX_RESULT_AGE: '30s', MAX_CLOCK_SKEW: '30s' }).DEDUPE_TTL, 60_000);
});

test('every bad value is listed in one error, with the value found', () => {
  assert.throws(
    () => parseEnv(healerEnvSchema, { PORT: '99999', REDIS_URL: 'http://x', DRY_RUN: 'maybe', MAX_RESTART_SHARE: '2' }),
    (error: Problems) => {
      assert.ok(error instanceof Problems);
      assert.equal(error.problems.length, 4);
      assert.match(error.message, /PORT: .*\(got "99999"\)/);
      assert.match(error.message, /REDIS_URL: must start with redis:\/\/ .*\(got "http:\/\/x"\)/);
      assert.match(error.message, /DRY_RUN: .*\(got "maybe"\)/);
      assert.match(error.message, /MAX_RESTART_SHARE/);
      return true;
    },
  );
});
