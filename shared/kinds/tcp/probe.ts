// Opens one TCP connection to a pod's port and closes it again, as the kubelet's tcpSocket probe does.
import { connect } from 'node:net';
import { describeProbeError } from '../../probes/errors.ts';
import { evaluateConnect } from './evaluate.ts';
import { failed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

export function probeTcp(ip: string, port: number, slowMs: number | undefined, signal: AbortSignal): Promise<Verdict> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, signal });
    socket.once('connect', () => {
      const latencyMs = elapsed();
      socket.destroy();
      resolve(evaluateConnect(latencyMs, slowMs));
    });
    socket.once('error', (error) => {
      socket.destroy();
      resolve(failed({ latencyMs: elapsed(), error: describeProbeError(error, signal) }));
    });
  });
}
