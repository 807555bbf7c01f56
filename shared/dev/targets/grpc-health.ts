// A gRPC server standing in for a pod's grpc probe target: grpc.health.v1.Health/Check answers the status set per
// service (NOT_FOUND for a service it does not know), or nothing while hung; it can run without the health service
// (every call UNIMPLEMENTED), over TLS, and stop listening to produce a refused connection.
import { Server, ServerCredentials, status as grpcStatus } from '@grpc/grpc-js';
import type { sendUnaryData, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** What Check may answer; SERVICE_UNKNOWN is meant for Watch, but nothing stops a server from sending it. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface GrpcHealthServerOptions {
  host: string;
  port?: number;
  /** Serve the health service (default true); without it every call is answered UNIMPLEMENTED. */
  health?: boolean;
  /** Status per service name; '' is the server as a whole. Default: the whole server SERVING. */
  statuses?: Record<string, ServingStatus>;
  /** PEM key and certificate: TLS instead of plaintext. */
  tls?: { key: string; cert: string };
}

export interface GrpcHealthServer {
  readonly host: string;
  readonly port: number;
  /** Check calls received since start, answered or not. */
  readonly checks: number;
  /** What Check answers for a service from now on; undefined forgets the service (NOT_FOUND). */
  setStatus(service: string, status: ServingStatus | undefined): void;
  /** Leaves every Check unanswered until recover(). */
  hang(): void;
  /** Answers again, the held calls included. */
  recover(): void;
  /** Stops listening, so a connect is refused. */
  pause(): Promise<void>;
  /** Listens again on the same host:port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

type CheckCall = ServerUnaryCall<{ service: string }, { status: ServingStatus }>;
type CheckReply = sendUnaryData<{ status: ServingStatus }>;

function bind(server: Server, host: string, port: number, tls: GrpcHealthServerOptions['tls']): Promise<number> {
  const credentials = tls
    ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }], false)
    : ServerCredentials.createInsecure();
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
}

export async function startGrpcHealthServer(options: GrpcHealthServerOptions): Promise<GrpcHealthServer> {
  const statuses = new Map<string, ServingStatus>(Object.entries(options.statuses ?? { '': 'SERVING' }));
  const held: Array<() => void> = [];
  let hung = false;
  let checks = 0;
  const answer = (call: CheckCall, reply: CheckReply): void => {
    const status = statuses.get(call.request.service);
    if (status) reply(null, { status });
    else reply({ code: grpcStatus.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
  };
  const makeServer = (): Server => {
    const server = new Server();
    if (options.health ?? true) {
      // grpc-health-check types its definition with its own copy of proto-loader; it is grpc-js' shape all the same.
      server.addService(healthService as unknown as ServiceDefinition, {
        check: (call: CheckCall, reply: CheckReply) => {
          checks += 1;
          if (hung) held.push(() => answer(call, reply));
          else answer(call, reply);
        },
      });
    }
    return server;
  };

  let server = makeServer();
  const port = await bind(server, options.host, options.port ?? 0, options.tls);
  let listening = true;
  return {
    host: options.host,
    port,
    get checks() {
      return checks;
    },
    setStatus(service, status) {
      if (status === undefined) statuses.delete(service);
      else statuses.set(service, status);
    },
    hang() {
      hung = true;
    },
    recover() {
      hung = false;
      for (const release of held.splice(0)) release();
    },
    async pause() {
      if (!listening) return;
      listening = false;
      // A shut-down grpc-js server cannot listen again; resume() builds a fresh one on the same port.
      server.forceShutdown();
    },
    async resume() {
      if (listening) return;
      server = makeServer();
      await bind(server, options.host, port, options.tls);
      listening = true;
    },
    async close() {
      listening = false;
      held.length = 0;
      server.forceShutdown();
    },
  };
}
