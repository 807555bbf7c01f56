// Request/response shapes shared by the HTTP server and route modules, and resource path parsing.
import type { Cluster } from './cluster.ts';

export interface ApiRequest {
  method: string;
  // decoded path segments, e.g. ['api', 'v1', 'namespaces', 'ns', 'pods']
  segments: string[];
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

// Returns undefined when the path is not one this module serves.
export type RouteHandler = (req: ApiRequest, cluster: Cluster) => ApiResponse | undefined;

export interface ResourcePath {
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

// Splits what follows /api/v1 or /apis/<group>/<version> into namespace/resource/name/subresource.
export function parseResourcePath(rest: string[]): ResourcePath | undefined {
  const [a, b, c, d, e, ...more] = rest;
  if (more.length > 0 || a === undefined) return undefined;
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    return { namespace: b, resource: c, ...(d !== undefined ? { name: d } : {}), ...(e !== undefined ? { subresource: e } : {}) };
  }
  if (c !== undefined) return undefined;
  return { resource: a, ...(b !== undefined ? { name: b } : {}) };
}
