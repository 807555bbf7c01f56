// Reads an exec's exit code out of the V1Status the API server sends at the end of the stream, and judges it.
import { failed, passed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

/** The parts of a V1Status that matter here (structural, so this module needs no Kubernetes client). */
export interface ExecStatus {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

export type ExitCode = { exitCode: number } | { error: string };

export function exitCodeOf(status: ExecStatus): ExitCode {
  if (status.status === 'Success') return { exitCode: 0 };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message === undefined ? NaN : Number(cause.message);
  if (Number.isInteger(code)) return { exitCode: code };
  // A Failure without an exit code: the command could not run at all (no such container, binary not found...).
  return { error: `exec failed: ${status.message ?? status.reason ?? 'no exit code in the status'}` };
}

export function evaluateExec(status: ExecStatus, output: string, latencyMs: number): Verdict {
  const code = exitCodeOf(status);
  if ('error' in code) return failed({ latencyMs, error: code.error, output });
  const probe = { latencyMs, exitCode: code.exitCode, output };
  return code.exitCode === 0 ? passed(probe) : failed({ ...probe, error: `exit code ${code.exitCode}` });
}
