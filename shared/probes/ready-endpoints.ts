// Counts the ready endpoints of a Service's EndpointSlices and judges them against minReady.
import { failed, passed } from './verdict.ts';
import type { Verdict } from './verdict.ts';

/** The parts of a discovery.k8s.io/v1 EndpointSlice that matter here. */
export interface SliceLike {
  endpoints?: Array<{ conditions?: { ready?: boolean | null } }> | null;
}

/** Per the API, a nil `ready` is to be read as ready. */
export function countReady(slices: readonly SliceLike[]): number {
  let ready = 0;
  for (const slice of slices) for (const ep of slice.endpoints ?? []) if (ep.conditions?.ready !== false) ready++;
  return ready;
}

export function evaluateEndpoints(readyEndpoints: number, minReady: number, latencyMs: number): Verdict {
  const probe = { latencyMs, readyEndpoints, minReady };
  if (readyEndpoints >= minReady) return passed(probe);
  return failed({ ...probe, error: `${readyEndpoints} ready endpoint${readyEndpoints === 1 ? '' : 's'}, need ${minReady}` });
}
