// selfheal pause, resume and pauses against a real Redis, as a person runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { useRedis } from '../support/redis.ts';
import { runCli } from './run-cli.ts';

const NOW = '2026-11-23T12:00:00Z';

test('pause, list, resume', async (t) => {
  const redis = await useRedis();
  t.after(() => redis.close());
  const cli = (...args: string[]) => runCli([...args, '--redis', redis.url, '--prefix', redis.prefix, '--now', NOW], { USER: 'alice' });

  await t.test('nothing paused yet', async () => {
    assert.deepEqual(await cli('pauses'), { code: 0, stdout: `no pauses under {${redis.prefix}}:pause:*\n`, stderr: '' });
    assert.deepEqual(JSON.parse((await cli('pauses', '--json')).stdout), []);
  });

  await t.test('pause a namespace: one line saying what, until when, who and why', async () => {
    const run = await cli('pause', '--namespace', 'shop', '--for', '1h', '--reason', 'node upgrade');
    assert.deepEqual(run, { code: 0, stdout: 'paused namespace shop until 2026-11-23T13:00:00.000Z (in 1h) by alice: node upgrade\n', stderr: '' });
  });

  await t.test('the key holds the record and expires with the pause', async () => {
    const client = new Redis(redis.url);
    t.after(() => client.disconnect());
    const key = `{${redis.prefix}}:pause:namespace:shop`;
    assert.deepEqual(JSON.parse((await client.get(key))!), { by: 'alice', reason: 'node upgrade', at: Date.parse(NOW), until: Date.parse(NOW) + 3_600_000 });
    const ttl = await client.pttl(key);
    assert.ok(ttl > 3_590_000 && ttl <= 3_600_000, String(ttl));
  });

  await t.test('pauses of a rule and a workload, named by --by', async () => {
    assert.equal((await cli('pause', '--rule', 'web-http', '--for', '30m', '--reason', 'rule under review', '--by', 'bob')).code, 0);
    assert.equal((await cli('pause', '--workload', 'shop/Deployment/web', '--for', '2h30m', '--reason', 'migration')).code, 0);
  });

  await t.test('pauses: a table with who, why and until', async () => {
    const run = await cli('pauses');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^SCOPE\s+WHAT\s+BY\s+SINCE\s+UNTIL\s+REASON$/);
    assert.match(lines[1]!, /^namespace\s+shop\s+alice\s+0s ago\s+2026-11-23T13:00:00\.000Z \(in 1h\)\s+node upgrade$/);
    assert.match(lines[2]!, /^rule\s+web-http\s+bob\s+0s ago\s+2026-11-23T12:30:00\.000Z \(in 30m\)\s+rule under review$/);
    assert.match(lines[3]!, /^workload\s+shop\/Deployment\/web\s+alice\s+0s ago\s+2026-11-23T14:30:00\.000Z \(in 2h\)\s+migration$/);
    assert.equal(lines.length, 4);
  });

  await t.test('pauses --json', async () => {
    const rows = JSON.parse((await cli('pauses', '--json')).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(rows[0], { scope: 'namespace', id: 'shop', by: 'alice', reason: 'node upgrade', at: Date.parse(NOW), until: Date.parse(NOW) + 3_600_000 });
    assert.deepEqual(rows.map((r) => r.scope), ['namespace', 'rule', 'workload']);
  });

  await t.test('a pause that ran out is not listed', async () => {
    const later = await runCli(['pauses', '--json', '--redis', redis.url, '--prefix', redis.prefix, '--now', '2026-11-23T13:30:00Z']);
    assert.deepEqual((JSON.parse(later.stdout) as Array<{ id: string }>).map((r) => r.id), ['shop/Deployment/web']);
  });

  await t.test('resume ends a pause; resuming one that is not there exits 1', async () => {
    assert.deepEqual(await cli('resume', '--rule', 'web-http'), { code: 0, stdout: 'resumed rule web-http\n', stderr: '' });
    const again = await cli('resume', '--rule', 'web-http');
    assert.deepEqual([again.code, again.stdout], [1, '']);
    assert.equal(again.stderr, `selfheal: no pause of rule web-http under {${redis.prefix}} (never paused, or it ran out)\n`);
    assert.deepEqual((JSON.parse((await cli('pauses', '--json')).stdout) as Array<{ scope: string }>).map((r) => r.scope), ['namespace', 'workload']);
  });
});

test('every mistake names the flag and the value, exit 2, nothing written', async (t) => {
  const cases: Array<[string[], string]> = [
    [['pause', '--for', '1h', '--reason', 'x'], 'pause needs exactly one of --namespace, --rule or --workload'],
    [['pause', '--namespace', 'shop', '--rule', 'r', '--for', '1h', '--reason', 'x'], 'pause needs exactly one of --namespace, --rule or --workload (got --namespace, --rule)'],
    [['pause', '--namespace', 'Shop', '--for', '1h', '--reason', 'x'], '--namespace must be a namespace name (a DNS label: lowercase letters, digits, "-") (got "Shop")'],
    [['pause', '--rule', 'web:http', '--for', '1h', '--reason', 'x'], '--rule must be a rule name (letters, digits, "_", "." and "-") (got "web:http")'],
    [['pause', '--workload', 'shop/web', '--for', '1h', '--reason', 'x'], '--workload must be namespace/Kind/name, e.g. shop/Deployment/web (got "shop/web")'],
    [['pause', '--namespace', 'shop', '--reason', 'x'], 'pause needs --for, how long it lasts (e.g. 30m, 1h, 2h30m)'],
    [['pause', '--namespace', 'shop', '--for', 'soon', '--reason', 'x'], '--for must be a duration from 1s to 30d such as 30m, 1h or 1h30m (got "soon")'],
    [['pause', '--namespace', 'shop', '--for', '0s', '--reason', 'x'], '--for must be a duration from 1s to 30d such as 30m, 1h or 1h30m (got "0s")'],
    [['pause', '--namespace', 'shop', '--for', '31d', '--reason', 'x'], '--for must be a duration from 1s to 30d such as 30m, 1h or 1h30m (got "31d")'],
    [['pause', '--namespace', 'shop', '--for', '1h'], 'pause needs --reason, saying why (e.g. --reason "node upgrade")'],
    [['pause', '--namespace', 'shop', '--for', '1h', '--reason', '   '], 'pause needs --reason, saying why (e.g. --reason "node upgrade")'],
    [['resume'], 'resume needs exactly one of --namespace, --rule or --workload'],
    [['resume', '--namespace', 'shop', '--for', '1h'], 'option --for does not apply to resume'],
    [['pauses', '--namespace', 'shop'], 'option --namespace does not apply to pauses'],
  ];
  for (const [args, problem] of cases) {
    await t.test(args.join(' '), async () => {
      // No Redis is named: a usage error is found before any connection.
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.ok(run.stderr.startsWith(`selfheal: ${problem}\n`), run.stderr);
    });
  }
});
