// A healer or proxy selector that cannot reach Redis at start-up exits 1 at once with one fatal line naming the
// URL (password redacted), instead of living on without listening while ioredis reconnects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/redis.ts';
import { RULES } from './harness.ts';
import { runToExit } from '../support/process.ts';

const ENTRIES = {
  healer: new URL('../../functions/healer/index.ts', import.meta.url).pathname,
  'proxy-selector': new URL('../../functions/proxy-selector/index.ts', import.meta.url).pathname,
};

function fatalLines(output: string): Array<{ level: string; msg: string }> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === 'fatal');
}

function rulesFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  return join(dir, 'rules.yaml');
}

for (const [name, entry] of Object.entries(ENTRIES)) {
  test(`${name}: Redis refusing connections is exit 1 at once, the URL named without its password`, async (t) => {
    const port = await freePort();
    const env = { PORT: '0', HOST: '127.0.0.1', RULES_FILE: rulesFile(t) };
    for (const url of [`redis://127.0.0.1:${port}`, `redis://:s3cret-pw@127.0.0.1:${port}/0`, `redis://default:s3cret-pw@127.0.0.1:${port}`]) {
      const ended = await runToExit([entry], { ...env, REDIS_URL: url }, 20_000);
      assert.equal(ended.code, 1, ended.output);
      assert.ok(ended.ms < 3_000, `exit after ${ended.ms} ms`);
      assert.doesNotMatch(ended.output, /s3cret-pw/);
      const fatal = fatalLines(ended.output);
      assert.equal(fatal.length, 1, ended.output);
      const shown = url.replace('s3cret-pw', '****');
      assert.ok(fatal[0]!.msg.includes(`redis at ${shown}`), fatal[0]!.msg);
      assert.match(fatal[0]!.msg, /ECONNREFUSED/);
      t.diagnostic(`${name}: exit 1 after ${Math.round(ended.ms)} ms (${shown})`);
    }
  });

  test(`${name}: Redis accepting but never answering is exit 1 after REDIS_CONNECT_TIMEOUT`, async (t) => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const env = { PORT: '0', HOST: '127.0.0.1', RULES_FILE: rulesFile(t), REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}`, REDIS_CONNECT_TIMEOUT: '1s' };
    const ended = await runToExit([entry], env, 25_000);
    assert.equal(ended.code, 1, ended.output);
    assert.ok(ended.ms < 4_000, `exit after ${ended.ms} ms`);
    assert.doesNotMatch(ended.output, /s3cret-pw/);
    const fatal = fatalLines(ended.output);
    assert.equal(fatal.length, 1, ended.output);
    assert.ok(fatal[0]!.msg.includes(`redis at redis://:****@127.0.0.1:${port}`), fatal[0]!.msg);
    assert.match(fatal[0]!.msg, /within 1000 ms/);
    t.diagnostic(`${name}: exit 1 after ${Math.round(ended.ms)} ms against a silent server`);
  });
}
