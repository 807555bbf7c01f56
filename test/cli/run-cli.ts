// Runs the selfheal CLI as a child process on this Node, the way a person would, and collects what it printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../shared/cli/main.ts', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  // The caller's REDIS_URL must not leak into a run that means to test the defaults or --redis.
  const base: Record<string, string | undefined> = { ...process.env, REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined, ...env };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) clean[k] = v;
  const child = spawn(process.execPath, [MAIN, ...args], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
