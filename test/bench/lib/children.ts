// The bench's processes: each part (load generator, bare server, simulator, function) runs in a process of its own,
// so no part's CPU is counted against another's. A child says it is ready with one JSON line on stdout.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface BenchChild<T> {
  proc: ChildProcess;
  /** The JSON line that said the child is ready. */
  ready: T;
  /** Its last lines of output, for an error message. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  args?: string[];
  nodeArgs?: string[];
  /** Which JSON line means ready (default: a pino "listening" line or a line with `ready: true`). */
  isReady?: (line: Record<string, unknown>) => boolean;
  timeoutMs?: number;
  /** Ready when this loopback port takes a connection (for a child that logs nothing at its log level). */
  port?: number;
}

// Whatever happens to the bench, no child outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

const defaultReady = (line: Record<string, unknown>) => line.msg === 'listening' || line.ready === true;

export async function spawnNode<T = Record<string, unknown>>(script: string, opts: SpawnOptions = {}): Promise<BenchChild<T>> {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (lines.length > 40) lines.shift();
  };
  const exited = once(proc, 'exit').then(([code]) => {
    live.delete(proc);
    return code as number | null;
  });
  const isReady = opts.isReady ?? defaultReady;
  let buffer = '';
  let readySeen = false;
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${opts.timeoutMs ?? 30_000} ms:\n${lines.join('\n')}`));
    }, opts.timeoutMs ?? 30_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      // Once ready, a child's output (the function's info logs) is drained, not parsed: the bench must not slow it.
      if (readySeen) return;
      buffer += chunk.toString();
      let nl: number;
      while (!readySeen && (nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        keep(line);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (parsed && typeof parsed === 'object' && isReady(parsed as Record<string, unknown>)) {
          readySeen = true;
          buffer = '';
          clearTimeout(timer);
          resolve(parsed as T);
        }
      }
    });
    if (opts.port !== undefined) {
      const port = opts.port;
      const poll = () => {
        if (readySeen || proc.exitCode !== null) return;
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          readySeen = true;
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${port}/` } as T);
        });
        socket.once('error', () => setTimeout(poll, 10));
      };
      poll();
    }
    proc.stderr!.on('data', (c: Buffer) => keep(c.toString().trimEnd()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${lines.join('\n')}`));
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    proc,
    ready,
    tail: () => lines.join('\n'),
    exited,
    stop() {
      stopping ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/** Resident memory of a process now and at its peak (MB), from /proc. */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Runs a child to its end and returns its last stdout line parsed as JSON (how the load generator reports). */
export async function runToEnd<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(proc, 'exit')) as [number | null];
  const last = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${out.slice(-2000)}`);
  return JSON.parse(last) as T;
}
