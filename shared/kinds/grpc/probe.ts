// Calls grpc.health.v1.Health/Check once on a pod, within the rule's timeout, and judges the answer.
import type { ServiceError } from '@grpc/grpc-js';
import { describeProbeError } from '../../probes/errors.ts';
import { failed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';
import { clientFor } from './channel.ts';
import { evaluateGrpc } from './evaluate.ts';
import type { GrpcAnswer } from './evaluate.ts';
import type { GrpcModule } from './grpc-module.ts';
import type { GrpcRule } from './rule.ts';

export type GrpcProbeRule = Pick<GrpcRule, 'service' | 'slowMs' | 'timeoutMs' | 'tls'>;

export function probeGrpc(mod: GrpcModule, address: string, rule: GrpcProbeRule, ca: string[] | undefined, signal: AbortSignal): Promise<Verdict> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const client = clientFor(mod.grpc, address, rule, ca);
  return new Promise<Verdict>((resolve) => {
    const finish = (verdict: Verdict) => {
      signal.removeEventListener('abort', onAbort);
      client.close();
      resolve(verdict);
    };
    const answered = (error: ServiceError | null, response?: { status?: unknown }) => {
      // A call cancelled by the signal says why the signal fired (timeout, run deadline) rather than "CANCELLED".
      if (signal.aborted) return finish(failed({ latencyMs: elapsed(), error: describeProbeError(error, signal) }));
      const answer: GrpcAnswer = error
        ? { latencyMs: elapsed(), code: error.code, details: error.details }
        : { latencyMs: elapsed(), servingStatus: String(response?.status ?? 'UNKNOWN') };
      finish(evaluateGrpc(answer, rule));
    };
    const call = client.makeUnaryRequest(
      mod.check.path,
      mod.check.serialize,
      mod.check.deserialize,
      { service: rule.service },
      new mod.grpc.Metadata(),
      // Sent to the server too (grpc-timeout), so it can stop working on an answer nobody waits for.
      { deadline: Date.now() + rule.timeoutMs },
      answered,
    );
    const onAbort = () => call.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
  });
}
