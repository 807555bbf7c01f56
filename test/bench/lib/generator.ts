// The load generator, run as a process of its own (never in the process it measures): N keep-alive connections,
// each sending the next check result as soon as the last one was answered. Prints one JSON line: what it measured.
// Run by the bench: node test/bench/lib/generator.ts '<LoadSpec as JSON>'
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { z } from 'zod';
import { EventType } from '../../../shared/events/types.ts';
import { percentile } from './figures.ts';

const targetSchema = z.object({ namespace: z.string(), name: z.string(), workload: z.string() });
export type BenchTarget = z.infer<typeof targetSchema>;

const specSchema = z.object({
  url: z.url(),
  connections: z.number().int().min(1).max(1024),
  targetsFile: z.string(),
  rule: z.string(),
  /** alternate: each target fails, passes, fails… (never three failures in a row); fail / pass: only that. */
  pattern: z.enum(['alternate', 'fail', 'pass']),
  /** Either a time (warm-up, then the measured window) or a number of events (every one measured). */
  warmupMs: z.number().int().min(0).default(0),
  durationMs: z.number().int().min(1).optional(),
  events: z.number().int().min(1).optional(),
  /** Where the sequence starts: round = index / targets, so runs may continue one another. */
  firstIndex: z.number().int().min(0).default(0),
  /** Event ids must never repeat on one Redis prefix (the healer would take them as redeliveries). */
  idPrefix: z.string(),
  /** Only the first N targets of the file. */
  targetCount: z.number().int().min(1).optional(),
});
export type LoadSpec = z.input<typeof specSchema>;

export interface LoadReport {
  /** Every event sent, warm-up included. */
  sent: number;
  /** The events of the measured window. */
  events: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  firstProblem?: string;
}

function body(rule: string, target: BenchTarget, outcome: 'passed' | 'failed', index: number): string {
  return JSON.stringify({
    rule,
    ruleKind: 'http',
    outcome,
    target: { namespace: target.namespace, kind: 'Pod', name: target.name, workload: { kind: 'Deployment', name: target.workload } },
    probe: outcome === 'failed' ? { latencyMs: 3, status: 500, error: 'status 500' } : { latencyMs: 3, status: 200 },
    observedAt: new Date().toISOString(),
    runId: `bench-${Math.floor(index / 1_000)}`,
  });
}

async function main(): Promise<void> {
  const spec = specSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  if ((spec.durationMs === undefined) === (spec.events === undefined)) throw new Error('give durationMs or events, not both');
  const all = z.array(targetSchema).min(1).parse(JSON.parse(readFileSync(spec.targetsFile, 'utf8')));
  const targets = spec.targetCount !== undefined ? all.slice(0, spec.targetCount) : all;
  if (targets.length < (spec.targetCount ?? 1)) throw new Error(`${spec.targetsFile} has ${all.length} targets, fewer than ${spec.targetCount}`);
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const statuses: Record<string, number> = {};
  let errors = 0;
  let firstProblem: string | undefined;
  const latencies: number[] = [];
  let next = spec.firstIndex;
  const last = spec.events !== undefined ? spec.firstIndex + spec.events : Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  const measureFrom = t0 + spec.warmupMs;
  const stopAt = spec.durationMs !== undefined ? measureFrom + spec.durationMs : Number.POSITIVE_INFINITY;
  let measured = 0;
  let lastEnd = measureFrom;

  const worker = async () => {
    for (;;) {
      const started = performance.now();
      if (started >= stopAt || next >= last) return;
      const i = next++;
      const target = targets[i % targets.length]!;
      const round = Math.floor(i / targets.length);
      const outcome = spec.pattern === 'pass' ? 'passed' : spec.pattern === 'fail' ? 'failed' : round % 2 === 0 ? 'failed' : 'passed';
      let status = 0;
      try {
        const res = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'ce-specversion': '1.0',
            'ce-id': `${spec.idPrefix}-${i}`,
            'ce-type': outcome === 'failed' ? EventType.checkFailed : EventType.checkPassed,
            'ce-source': `/selfheal/check-pods/${spec.rule}`,
          },
          body: body(spec.rule, target, outcome, i),
        });
        status = res.statusCode;
        const text = await res.body.text();
        if ((status < 200 || status >= 300) && firstProblem === undefined) firstProblem = `${status}: ${text.slice(0, 300)}`;
      } catch (error) {
        errors++;
        firstProblem ??= `request failed: ${(error as Error).message}`;
      }
      const ended = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (started >= measureFrom) {
        measured++;
        latencies.push(ended - started);
        if (ended > lastEnd) lastEnd = ended;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
  await pool.close();
  const seconds = (lastEnd - measureFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const non2xx = Object.entries(statuses).reduce((n, [s, c]) => (Number(s) >= 200 && Number(s) < 300 ? n : n + c), 0);
  const report: LoadReport = {
    sent: next - spec.firstIndex,
    events: measured,
    seconds,
    rate: seconds > 0 ? measured / seconds : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses,
    non2xx,
    errors,
    ...(firstProblem !== undefined ? { firstProblem } : {}),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (import.meta.main) await main();
