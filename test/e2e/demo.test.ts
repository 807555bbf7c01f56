import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const main = new URL('../../shared/dev/demo/main.ts', import.meta.url).pathname;

test('npm run demo: every scenario happens as told, and it exits 0', async () => {
  const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'error' } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, out);
  for (const line of [
    /healer: restart web\/nginx-\S+ \(threshold-reached\) — evicted pod/,
    /healer: no action on web\/nginx-\S+ \(healed\)/,
    /healer: scale backend\/backend-\S+ \(escalated\) — scaled deployment backend\/backend from 2 to 3 replicas/,
    /ALERT: backend\/backend-\S+/,
    /proxy group squid-egress primary → secondary \(SecondaryActive, primary-failed\)/,
    /proxy group squid-egress secondary → primary \(PrimaryActive, primary-recovered\)/,
    /Step 3: the primary Squid loses its upstream \(reconfigured onto a parent peer that is gone\)/,
    /squid -k check in proxy\/squid-primary-\S+ exits 1: FATAL: failed to open \S+squid\.pid/,
    /healer: restart proxy\/squid-primary-\S+ \(threshold-reached\) — evicted pod/,
    /The replacement pod proxy\/squid-primary-\S+ started a fresh Squid: squid -k check exits 0 there/,
    /healer: alert backend\/backend-\S+ \(dependency-failing\)/,
    /\$ selfheal units\nRULE\s+UNIT/,
    /Every step happened as expected/,
  ]) {
    assert.match(out, line);
  }
});
