import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const main = new URL('../../shared/dev/demo/main.ts', import.meta.url).pathname;

test('npm run demo: every scenario happens as told, and it exits 0', async () => {
  const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, out);
  for (const line of [
    /healer: acted: restart web\/nginx-\S+ \(threshold-reached\) — evicted pod/,
    /healer: healed — web\/nginx-\S+ passes after the last action/,
    /healer: not healed, acted: scale backend\/backend-\S+ \(escalated\) — scaled deployment backend\/backend from 2 to 3 replicas/,
    /ALERT: backend\/backend-\S+/,
    /proxy group squid-egress primary → secondary \(SecondaryActive, primary-failed\)/,
    /proxy group squid-egress secondary → primary \(PrimaryActive, primary-recovered\)/,
    /Step 3: the primary Squid loses its upstream \(reconfigured onto a parent peer that is gone\)/,
    /squid -k check in proxy\/squid-primary-\S+ exits 1: FATAL: failed to open \S+squid\.pid/,
    /healer: acted: restart proxy\/squid-primary-\S+ \(threshold-reached\) — evicted pod/,
    /The replacement pod proxy\/squid-primary-\S+ started a fresh Squid: squid -k check exits 0 there/,
    /healer: acted: alert backend\/backend-\S+ \(dependency-failing\)/,
    /\$ selfheal units\nRULE\s+UNIT/,
    /Every step happened as expected/,
  ]) {
    assert.match(out, line);
  }
  // Piped, the log lines the demo lets through (warnings: the checks that fail) are readable lines, not JSON.
  const logLines = err.split('\n').filter((l) => l !== '');
  assert.ok(logLines.some((l) => / WARN  check-pods +check failed: /.test(l)), err);
  assert.deepEqual(logLines.filter((l) => l.startsWith('{')), []);
  assert.doesNotMatch(err, /\u001b\[/, 'no colours outside a terminal');
});
