// Checks the gRPC health stand-in with a plain grpc-js client (not the probe): statuses per service, NOT_FOUND,
// UNIMPLEMENTED without the health service, held calls, a refused connect while paused, and TLS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentials, makeClientConstructor, status } from '@grpc/grpc-js';
import type { ChannelCredentials, Client, ServiceDefinition, ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { EXTERNAL_SITE_CA_PEM, EXTERNAL_SITE_CERT_PEM, EXTERNAL_SITE_KEY_PEM, startGrpcHealthServer } from '../../../shared/dev/targets/index.ts';
import type { GrpcHealthServer } from '../../../shared/dev/targets/index.ts';

const HOST = '127.0.0.14';
// The test's own client, built the usual way from the service definition.
const HealthClient = makeClientConstructor(healthService as unknown as ServiceDefinition, 'Health');
type HealthClientT = Client & { check(req: { service: string }, opts: { deadline: number }, cb: (e: ServiceError | null, r?: { status: string }) => void): void };

function check(server: GrpcHealthServer, service: string, creds: ChannelCredentials = credentials.createInsecure(), deadlineMs = 2_000): Promise<string> {
  // A client made from a definition has a method per RPC, which its type cannot know.
  const client = new HealthClient(`${server.host}:${server.port}`, creds) as unknown as HealthClientT;
  return new Promise<string>((resolve) =>
    client.check({ service }, { deadline: Date.now() + deadlineMs }, (error, response) => {
      client.close();
      resolve(error ? status[error.code] : response!.status);
    }),
  );
}

async function using(options: Parameters<typeof startGrpcHealthServer>[0], body: (s: GrpcHealthServer) => Promise<void>): Promise<void> {
  const server = await startGrpcHealthServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

describe('grpc health server', () => {
  it('answers SERVING for the whole server by default, and NOT_FOUND for a service it does not know', () =>
    using({ host: HOST }, async (server) => {
      assert.equal(await check(server, ''), 'SERVING');
      assert.equal(await check(server, 'payments.v1.Payments'), 'NOT_FOUND');
      assert.equal(server.checks, 2);
    }));

  it('answers the status set per service, and forgets a service set to undefined', () =>
    using({ host: HOST, statuses: { '': 'SERVING', a: 'NOT_SERVING' } }, async (server) => {
      assert.equal(await check(server, 'a'), 'NOT_SERVING');
      for (const s of ['UNKNOWN', 'SERVICE_UNKNOWN', 'SERVING'] as const) {
        server.setStatus('a', s);
        assert.equal(await check(server, 'a'), s);
      }
      server.setStatus('a', undefined);
      assert.equal(await check(server, 'a'), 'NOT_FOUND');
    }));

  it('without the health service every call is UNIMPLEMENTED', () =>
    using({ host: HOST, health: false }, async (server) => {
      assert.equal(await check(server, ''), 'UNIMPLEMENTED');
    }));

  it('hung, it leaves a call unanswered past its deadline; recovered, it answers the held ones', () =>
    using({ host: HOST }, async (server) => {
      server.hang();
      assert.equal(await check(server, '', credentials.createInsecure(), 200), 'DEADLINE_EXCEEDED');
      const held = check(server, '');
      while (server.checks < 2) await new Promise((r) => setTimeout(r, 10));
      server.recover();
      assert.equal(await held, 'SERVING');
    }));

  it('paused, a connect is refused; resumed, it answers on the same port', () =>
    using({ host: HOST }, async (server) => {
      await server.pause();
      assert.equal(await check(server, ''), 'UNAVAILABLE');
      await server.resume();
      assert.equal(await check(server, ''), 'SERVING');
    }));

  it('over TLS it answers a client that trusts its CA', () =>
    using({ host: HOST, tls: { key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM } }, async (server) => {
      assert.equal(await check(server, '', credentials.createSsl(Buffer.from(EXTERNAL_SITE_CA_PEM))), 'SERVING');
      assert.equal(await check(server, '', credentials.createSsl()), 'UNAVAILABLE');
    }));
});
