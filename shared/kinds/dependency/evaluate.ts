// Counts the ready endpoints of a Service's EndpointSlices and judges them against minReady.
import { failed, passed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

/** The parts of a discovery.k8s.io/v1 EndpointSlice that matter here. */
export interface SliceLike {
  endpoints?: Array<{ conditions?: { ready?: boolean | null }; addresses?: string[]; targetRef?: { uid?: string } | null }> | null;
}

/** Per the API, a nil `ready` is to be read as ready. One pod can appear in two slices (dual stack, or while a slice
 *  is being rewritten): it counts once, by its targetRef, else by its first address. */
export function countReady(slices: readonly SliceLike[]): number {
  const ready = new Set<string>();
  let anonymous = 0;
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const key = ep.targetRef?.uid ?? ep.addresses?.[0];
      if (key === undefined) anonymous++;
      else ready.add(key);
    }
  }
  return ready.size + anonymous;
}

export function evaluateEndpoints(readyEndpoints: number, minReady: number, latencyMs: number): Verdict {
  const probe = { latencyMs, readyEndpoints, minReady };
  if (readyEndpoints >= minReady) return passed(probe);
  return failed({ ...probe, error: `${readyEndpoints} ready endpoint${readyEndpoints === 1 ? '' : 's'}, need ${minReady}` });
}
