// Fetches each egress URL through one proxy: plain http:// as absolute-URI requests, https:// through CONNECT.
// A fresh ProxyAgent per probe, destroyed after, so a tunnel kept from an earlier run cannot hide a lost upstream.
import { ProxyAgent, request } from 'undici';
import type { StatusRange } from '../../rules/fields.ts';
import { describeError } from '../../probes/errors.ts';
import { evaluateEgress } from './evaluate.ts';
import type { UrlAnswer } from './evaluate.ts';
import type { Verdict } from '../../probes/verdict.ts';

export interface EgressExpectation {
  urls: readonly string[];
  expectedStatus: readonly StatusRange[];
  timeoutMs: number;
}

async function fetchThrough(agent: ProxyAgent, url: string, timeoutMs: number, signal: AbortSignal): Promise<UrlAnswer> {
  const started = performance.now();
  const own = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  try {
    const res = await request(url, { dispatcher: agent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: own });
    await res.body.dump();
    return { url, status: res.statusCode, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const timedOut = own.aborted && !signal.aborted;
    if (timedOut) return { url, latencyMs, error: `timed out after ${timeoutMs} ms` };
    // A refused CONNECT carries the proxy's status only in undici's message.
    const connect = /Proxy response \((\d{3})\)/.exec((error as Error).message ?? '');
    return { url, latencyMs, error: describeError(error), ...(connect ? { status: Number(connect[1]) } : {}) };
  }
}

export async function probeEgress(proxyUrl: string, expect: EgressExpectation, ca: string[] | undefined, signal: AbortSignal): Promise<Verdict> {
  // proxyTunnel: false sends http:// as absolute-URI requests; https:// is always tunnelled with CONNECT.
  const agent = new ProxyAgent({ uri: proxyUrl, proxyTunnel: false, ...(ca ? { requestTls: { ca } } : {}) });
  try {
    const answers = await Promise.all(expect.urls.map((url) => fetchThrough(agent, url, expect.timeoutMs, signal)));
    return evaluateEgress(answers, expect.expectedStatus);
  } finally {
    await agent.destroy().catch(() => {});
  }
}
