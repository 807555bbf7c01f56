// Runs a command in a pod's container through the API server's exec stream and judges its exit code.
// The client resolves when the socket opens, so the end of the command is the status message, awaited here.
import { Writable } from 'node:stream';
import { describeError } from '../../probes/errors.ts';
import { evaluateExec } from './evaluate.ts';
import type { ExecStatus } from './evaluate.ts';
import { failed, inconclusive } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

/** The socket the client returns; only closing it and hearing it close matter here. */
export interface ExecSocket {
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** The shape of `Exec.exec` from @kubernetes/client-node (structural, so this module does not import it). */
export type ExecFn = (
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  stdout: Writable,
  stderr: Writable,
  stdin: null,
  tty: boolean,
  onStatus: (status: ExecStatus) => void,
) => Promise<ExecSocket>;

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  outputLimit: number;
}

/** Keeps the first `limit` bytes written to either stream, in arrival order. */
function outputCollector(limit: number): { stdout: Writable; stderr: Writable; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = () =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (size < limit) {
          const part = chunk.subarray(0, limit - size);
          chunks.push(part);
          size += part.length;
        }
        done();
      },
    });
  return { stdout: sink(), stderr: sink(), text: () => Buffer.concat(chunks).toString('utf8') };
}

export function probeExec(exec: ExecFn, target: ExecTarget, signal: AbortSignal): Promise<Verdict> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const out = outputCollector(target.outputLimit);
  return new Promise((resolve) => {
    let socket: ExecSocket | undefined;
    let done = false;
    const finish = (verdict: Verdict) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      socket?.close();
      resolve(verdict);
    };
    const onAbort = () =>
      finish(failed({ latencyMs: elapsed(), error: `exec did not finish: ${describeError(signal.reason)}`, output: out.text() }));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return onAbort();
    exec(target.namespace, target.pod, target.container, target.command, out.stdout, out.stderr, null, false, (status) =>
      finish(evaluateExec(status, out.text(), elapsed())),
    ).then(
      (ws) => {
        socket = ws;
        // Opened after a timeout already gave up on it: nobody waits for this command any more.
        if (done) ws.close();
        else ws.once('close', () => finish(failed({ latencyMs: elapsed(), error: 'exec stream closed without an exit status', output: out.text() })));
      },
      (error: unknown) => {
        const detail = { latencyMs: elapsed(), error: `exec could not start: ${describeError(error)}` };
        // A missing pod or container (400, 404) is the target's problem; a refusing or failing API server is not.
        finish(targetsFault(error) ? failed(detail) : inconclusive(detail));
      },
    );
  });
}

/** The handshake's HTTP status, when the API server answered the upgrade with one (ws: "Unexpected server response: 403"). */
export function handshakeStatus(error: unknown): number | undefined {
  const m = String((error as { message?: unknown } | null)?.message ?? '').match(/Unexpected server response: (\d{3})/);
  return m ? Number(m[1]) : undefined;
}

function targetsFault(error: unknown): boolean {
  const status = handshakeStatus(error);
  return status === 400 || status === 404;
}
