// The client a grpc probe calls through: plaintext by default, or TLS verified against Node's roots plus
// EXTRA_CA_FILE (or against nothing, with insecureSkipVerify), on a connection of its own.
import type { Client, ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { Grpc } from './grpc-module.ts';
import type { GrpcRule } from './rule.ts';

const perRule = new WeakMap<object, ChannelCredentials>();

/** Rules are frozen for the life of the process: their credentials (a TLS context over every root) are built once. */
function credentialsFor(grpc: Grpc, rule: Pick<GrpcRule, 'tls'>, ca: string[] | undefined): ChannelCredentials {
  if (!rule.tls) return grpc.credentials.createInsecure();
  let credentials = perRule.get(rule);
  if (!credentials) {
    const roots = ca ? Buffer.from(ca.join('\n')) : null;
    credentials = grpc.credentials.createSsl(roots, null, null, { rejectUnauthorized: !rule.tls.insecureSkipVerify });
    perRule.set(rule, credentials);
  }
  return credentials;
}

function optionsFor(rule: Pick<GrpcRule, 'tls'>): ChannelOptions {
  return {
    // A connection per probe, as the kubelet dials one: a pooled one could outlive the pod that answered on it.
    'grpc.use_local_subchannel_pool': 1,
    // The name the certificate is checked against (and SNI), instead of the pod IP dialled.
    ...(rule.tls?.serverName ? { 'grpc.ssl_target_name_override': rule.tls.serverName, 'grpc.default_authority': rule.tls.serverName } : {}),
  };
}

/** A new client for one probe; the caller closes it. `address` is host:port, an IPv6 host in brackets. */
export function clientFor(grpc: Grpc, address: string, rule: Pick<GrpcRule, 'tls'>, ca: string[] | undefined): Client {
  return new grpc.Client(address, credentialsFor(grpc, rule, ca), optionsFor(rule));
}
