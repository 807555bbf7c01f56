// Decides whether a TCP connect that succeeded passes: it did, unless it took longer than slowMs.
import { isSlow } from '../../probes/slow.ts';
import { failed, passed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

export function evaluateConnect(latencyMs: number, slowMs: number | undefined): Verdict {
  if (isSlow(latencyMs, slowMs)) return failed({ latencyMs, slow: true, error: `slow: connected in ${latencyMs} ms, limit ${slowMs} ms` });
  return passed({ latencyMs });
}
