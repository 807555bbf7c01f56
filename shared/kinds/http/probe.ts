// Sends one HTTP(S) probe to a pod over a shared keep-alive pool and judges the answer.
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { HttpRule } from './rule.ts';
import { describeProbeError } from '../../probes/errors.ts';
import { hostPort } from '../../probes/host-port.ts';
import { evaluateHttp } from './evaluate.ts';
import { readLimited } from '../../probes/read-limited.ts';
import { failed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

export type HttpProbeRule = Pick<HttpRule, 'scheme' | 'port' | 'path' | 'method' | 'headers' | 'expectedStatus' | 'body' | 'slowMs' | 'timeoutMs'>;

export async function probeHttp(ip: string, rule: HttpProbeRule, dispatcher: Dispatcher, signal: AbortSignal): Promise<Verdict> {
  const url = `${rule.scheme}://${hostPort(ip, rule.port)}${rule.path}`;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await request(url, {
      method: rule.method,
      headers: { 'user-agent': 'selfheal-check/1', ...rule.headers },
      dispatcher,
      headersTimeout: rule.timeoutMs,
      bodyTimeout: rule.timeoutMs,
      signal,
    });
    const body = await readLimited(res.body);
    return evaluateHttp({ status: res.statusCode, body: body.text, truncated: body.truncated, latencyMs: elapsed() }, rule);
  } catch (error) {
    return failed({ latencyMs: elapsed(), error: describeProbeError(error, signal) });
  }
}
