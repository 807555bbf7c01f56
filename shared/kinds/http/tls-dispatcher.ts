// The connection pool an HTTPS probe uses: the shared one, or one of the rule's own when it sets tls options.
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type { HttpRule } from './rule.ts';

const perRule = new WeakMap<object, Dispatcher>();

/** Rules are frozen for the life of the process, so one pool per rule object is kept and reused across runs. */
export function dispatcherFor(rule: Pick<HttpRule, 'tls'>, shared: Dispatcher, ca: string[] | undefined): Dispatcher {
  if (!rule.tls) return shared;
  let pool = perRule.get(rule);
  if (!pool) {
    pool = new Agent({
      keepAliveTimeout: 30_000,
      connections: 8,
      connect: {
        ...(ca ? { ca } : {}),
        ...(rule.tls.serverName ? { servername: rule.tls.serverName } : {}),
        // With a servername, Node checks the certificate against that name instead of the IP dialled.
        rejectUnauthorized: !rule.tls.insecureSkipVerify,
      },
    });
    perRule.set(rule, pool);
  }
  return pool;
}
