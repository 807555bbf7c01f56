// `--speed N`: rule time runs N times faster, not only the schedules. A rules file with every duration of every rule
// divided by N (the defaults written out too), and the healer's windows likewise, so a cooldown, a verify window or
// a budget window lasts as many ticks at --speed 10 as at --speed 1.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseDuration } from '../../config/duration.ts';
import { parseRulesYaml } from '../../rules/load.ts';

/** The rule fields that are spans of time (the probe's own timeoutMs is not: a network answer takes real time). */
export const RULE_DURATIONS = ['cooldown', 'verifyWindow', 'startupGrace'] as const;

/** Healer settings that are spans of rule time. ACTION_LEASE is not: it covers an API call, which takes real time;
 *  MAX_RESULT_AGE and MAX_CLOCK_SKEW neither: they are about clocks and networks. */
export const ENV_DURATIONS = ['BUDGET_WINDOW'] as const;

/** Seconds, as the rules and the env take them; never below a millisecond. */
const seconds = (ms: number, speed: number): number => Math.max(1, Math.round(ms / speed)) / 1_000;

/** Writes `<dir>/rules.yaml`: the rules of `rulesFile` with their durations divided by `speed`; returns its path. */
export async function writeScaledRules(rulesFile: string, speed: number, dir: string): Promise<string> {
  const text = await readFile(rulesFile, 'utf8');
  // Validated first: the defaults come from the one schema, and a bad file is reported as the functions would.
  const rules = parseRulesYaml(text, rulesFile);
  const doc = parseDocument(text);
  rules.rules.forEach((rule, index) => {
    for (const field of RULE_DURATIONS) {
      const ms = (rule as Record<string, unknown>)[field];
      if (typeof ms === 'number' && ms > 0) doc.setIn(['rules', index, field], seconds(ms, speed));
    }
  });
  doc.commentBefore = ` Written by npm start --speed ${speed} from ${rulesFile}: every duration divided by ${speed}.\n${doc.commentBefore ?? ''}`;
  const out = join(dir, 'rules.yaml');
  await writeFile(out, doc.toString());
  return out;
}

/** The healer's time-window settings divided by `speed`, from `env` (the manifest's) or the built-in defaults. */
export function scaledEnv(env: Readonly<Record<string, string>>, speed: number, defaults: Readonly<Record<string, number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENV_DURATIONS) {
    const ms = env[key] !== undefined ? parseDuration(env[key]) : defaults[key];
    if (ms !== undefined) out[key] = String(seconds(ms, speed));
  }
  return out;
}
