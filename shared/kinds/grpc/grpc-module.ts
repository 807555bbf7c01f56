// @grpc/grpc-js and the health service, imported on first use: check-pods and the healer load every kind through
// the catalog, and the two imports (grpc-js, and protobufjs parsing health.proto) cost about 200 ms of cold start.
import type * as GrpcJs from '@grpc/grpc-js';

export type Grpc = typeof GrpcJs;

/** grpc.health.v1.Health/Check, as the health.proto that grpc-health-check ships defines it. */
export interface HealthCheckMethod {
  readonly path: string;
  serialize(request: { service: string }): Buffer;
  /** Enums as their names ("SERVING"), a missing field as its default ("UNKNOWN"), an unknown value as its number. */
  deserialize(bytes: Buffer): { status?: unknown };
}

export interface GrpcModule {
  readonly grpc: Grpc;
  readonly check: HealthCheckMethod;
}

let pending: Promise<GrpcModule> | undefined;

async function load(): Promise<GrpcModule> {
  const [grpc, health] = await Promise.all([import('@grpc/grpc-js'), import('grpc-health-check')]);
  const method = health.service['Check'];
  if (!method) throw new Error('grpc-health-check: its health service has no Check method');
  return Object.freeze({
    grpc,
    check: {
      path: method.path,
      // proto-loader types the messages as plain objects; these two are HealthCheckRequest and HealthCheckResponse.
      serialize: (request: { service: string }) => method.requestSerialize(request),
      deserialize: (bytes: Buffer) => method.responseDeserialize(bytes) as { status?: unknown },
    },
  });
}

/** Memoised once it worked; a failed import is tried again on the next use. */
export function loadGrpc(): Promise<GrpcModule> {
  pending ??= load().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
