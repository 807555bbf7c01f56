// Judges one answer of grpc.health.v1.Health/Check: only SERVING passes; a server that has no health service, or
// does not know the rule's service, says the rule is wrong, not the pod.
import { isSlow } from '../../probes/slow.ts';
import { failed, passed, ruleError } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

/** gRPC status codes by number (grpc/doc/statuscodes.md); they are part of the wire protocol and do not change. */
const CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE',
  'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
const GRPC_CODE = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNIMPLEMENTED: 12 } as const;

export const codeName = (code: number): string => CODE_NAMES[code] ?? `code ${code}`;

/** What the call gave: the serving status it answered, or the status of the call that failed. */
export type GrpcAnswer =
  | { latencyMs: number; servingStatus: string }
  | { latencyMs: number; code: number; details: string };

export interface GrpcExpectation {
  service: string;
  slowMs?: number;
  timeoutMs: number;
}

const named = (service: string) => (service === '' ? 'the server' : `service "${service}"`);

function callFailed(answer: { latencyMs: number; code: number; details: string }, expect: GrpcExpectation): Verdict {
  const probe = { latencyMs: answer.latencyMs, grpcCode: answer.code };
  switch (answer.code) {
    case GRPC_CODE.UNIMPLEMENTED:
      return ruleError({ ...probe, error: 'UNIMPLEMENTED: the server has no grpc.health.v1.Health service; check the rule\'s port, or serve the health service' });
    case GRPC_CODE.NOT_FOUND:
      return ruleError({ ...probe, error: `NOT_FOUND: the health service does not know ${named(expect.service)}; check the rule's service` });
    case GRPC_CODE.DEADLINE_EXCEEDED:
      // Worded as the runner words its own timeout, whichever of the two fires first.
      return failed({ ...probe, error: `timed out after ${expect.timeoutMs} ms` });
    default:
      // grpc-js ends a connect failure with a "Resolution note:" that is empty for an IP target.
      return failed({ ...probe, error: `${codeName(answer.code)}: ${answer.details.replace(/\.?\s*Resolution note:\s*$/, '')}` });
  }
}

export function evaluateGrpc(answer: GrpcAnswer, expect: GrpcExpectation): Verdict {
  if ('code' in answer) return callFailed(answer, expect);
  const probe = { latencyMs: answer.latencyMs, servingStatus: answer.servingStatus };
  if (answer.servingStatus !== 'SERVING') return failed({ ...probe, error: `${named(expect.service)} is ${answer.servingStatus}` });
  if (isSlow(answer.latencyMs, expect.slowMs)) {
    return failed({ ...probe, slow: true, error: `slow: answered in ${answer.latencyMs} ms, limit ${expect.slowMs} ms` });
  }
  return passed(probe);
}
