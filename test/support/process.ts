// Runs a project entry module as a child process on Node 24 and waits for its "listening" log line.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import assert from 'node:assert/strict';

export interface Child {
  proc: ChildProcess;
  url: string;
  lines: string[];
  exited: Promise<number | null>;
}

export async function startChild(entry: string, env: Record<string, string>, timeoutMs = 20_000): Promise<Child> {
  const proc = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  let buffer = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A child that never listens would outlive the test: it is ours, so it goes.
      proc.kill('SIGKILL');
      reject(new Error(`${entry} did not start in ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        try {
          const parsed = JSON.parse(line) as { msg?: string; url?: string };
          if (parsed.msg === 'listening' && parsed.url) {
            clearTimeout(timer);
            resolve(parsed.url);
          }
        } catch {
          // not a JSON log line
        }
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => lines.push(c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before listening:\n${lines.join('\n')}`));
    });
  });
  return { proc, url, lines, exited };
}

export interface Ended {
  code: number | null;
  ms: number;
  output: string;
}

/**
 * Runs `node <args>` until it exits, its stdout and stderr collected. The environment is this process's with `env`
 * over it (undefined unsets a variable; the test runner's own context is never passed on). Still running after
 * `withinMs` it gets `stopWith` (SIGKILL, or SIGINT for a stack that should stop what it started) and the test fails.
 */
export async function runToExit(args: readonly string[], env: Record<string, string | undefined>, withinMs = 15_000, stopWith: NodeJS.Signals = 'SIGKILL'): Promise<Ended> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') clean[k] = v;
  const started = performance.now();
  const proc = spawn(process.execPath, [...args], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => proc.kill(stopWith), withinMs);
    proc.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const ms = performance.now() - started;
  assert.ok(ms < withinMs, `${args.join(' ')} still running after ${withinMs} ms:\n${output}`);
  return { code, ms, output };
}

/** Whether a process of this pid exists (signal 0 tests without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
