// A real Alertmanager for tests (Debian's prometheus-alertmanager) on a free loopback port, its own config and storage.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis.ts';

export interface TestAlertmanager {
  url: string;
  /** The alerts it holds (GET /api/v2/alerts), resolved ones included unless `active` is asked for. */
  alerts(query?: string): Promise<AmListed[]>;
  close(): Promise<void>;
}

export interface AmListed {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

const CONFIG = `route:
  receiver: none
  group_wait: 0s
receivers:
  - name: none
`;

export function alertmanagerBinary(): string | undefined {
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

export async function startAlertmanager(): Promise<TestAlertmanager> {
  const binary = alertmanagerBinary();
  if (!binary) throw new Error('Alertmanager is needed for these tests: apt-get install -y prometheus-alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(binary, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${dir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const close = async () => {
    if (proc.exitCode === null && proc.pid !== undefined) {
      const exited = new Promise((r) => proc.once('exit', r));
      process.kill(proc.pid, 'SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 15_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (proc.exitCode !== null || Date.now() > until) {
      await close();
      throw new Error(`Alertmanager did not start: ${stderr}`);
    }
    await sleep(50);
  }
  const alerts = async (query = '') => {
    const res = await fetch(`${url}/api/v2/alerts${query}`);
    if (!res.ok) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
    return (await res.json()) as AmListed[];
  };
  return { url, alerts, close };
}

/** Polls until `check` holds (a bounded loop), then returns what it last saw. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await sleep(50);
  }
}
