// Runs Prometheus's promtool on a scrape or a rule file, so tests lint what Prometheus itself would read.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { get } from './http.ts';

export interface PromtoolRun {
  status: number | null;
  output: string;
}

export function promtool(args: string[], input?: string): PromtoolRun {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool cannot run (Debian package prometheus): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Scrapes a function's /metrics, checks the answer's status and content type, and lints it with promtool. */
export async function scrape(baseUrl: string): Promise<string> {
  const res = await get(`${baseUrl}/metrics`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const lint = promtool(['check', 'metrics'], res.text);
  assert.equal(lint.status, 0, `promtool check metrics: ${lint.output}`);
  return res.text;
}

/** The value of one series in a scrape, undefined when it is absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
