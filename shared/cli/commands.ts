// Runs one parsed command against a connected Redis and returns what to print and the exit code; prints nothing itself.
import type { Redis } from 'ioredis';
import { createKeys } from '../store/keys.ts';
import type { CliRequest } from './args.ts';
import { parseTargetRef } from './ids.ts';
import { pausedLine, pausesTable } from './pause-views.ts';
import { readPauses, removePause, writePause } from './pauses.ts';
import { askOnTerminal, runReset } from './reset.ts';
import { runRulesCommand } from './rules-command.ts';
import { historyKey, readHistory, readPassingRun, resolveTarget } from './read-history.ts';
import { readProxies } from './read-proxies.ts';
import { readStats } from './read-stats.ts';
import { readTargets } from './read-targets.ts';
import { readUnits } from './read-units.ts';
import { historyTable, passingLine, proxiesTable, statsTables, targetsTable, unitsTable } from './views.ts';

export interface Outcome {
  stdout: string;
  stderr: string;
  /** 0 done (an empty list included), 1 the named target has no history or the pause to resume is not there,
   *  2 the target reference cannot be read. */
  code: 0 | 1 | 2;
}

const done = (stdout: string): Outcome => ({ stdout, stderr: '', code: 0 });
const json = (value: unknown) => done(`${JSON.stringify(value, null, 2)}\n`);

/** A table, or a sentence when there is nothing to show, so an empty Redis is not mistaken for a broken command. */
function listing<R>(req: CliRequest, rows: readonly R[], empty: string, render: (rows: readonly R[]) => string): Outcome {
  if (req.json) return json(rows);
  return done(`${rows.length === 0 ? empty : render(rows)}\n`);
}

function filterText(req: CliRequest): string {
  const parts = [req.rule !== undefined ? `rule ${req.rule}` : '', req.namespace !== undefined ? `namespace ${req.namespace}` : ''].filter(Boolean);
  return parts.length > 0 ? ` for ${parts.join(', ')}` : '';
}

export async function runCommand(req: CliRequest, redis: Redis): Promise<Outcome> {
  const keys = createKeys(req.prefix);
  const filter = { ...(req.rule !== undefined ? { rule: req.rule } : {}), ...(req.namespace !== undefined ? { namespace: req.namespace } : {}) };
  switch (req.command) {
    case 'targets':
      return listing(req, await readTargets(redis, keys, filter, req.now), `no targets under ${keys.index}${filterText(req)}`, (rows) => targetsTable(rows, req.now));
    case 'units':
      return listing(req, await readUnits(redis, keys, filter, req.now), `no healing units under ${keys.prefix}:unit:*${filterText(req)}`, (rows) => unitsTable(rows, req.now));
    case 'proxies':
      return listing(req, await readProxies(redis, keys), `no proxy groups under ${keys.prefix}:proxy:*`, (rows) => proxiesTable(rows, req.now));
    case 'stats':
      return listing(req, await readStats(redis, keys, req.rule), `no stats under ${keys.prefix}:stats:${req.rule ?? '*'}`, statsTables);
    case 'history':
      return history(req, redis, keys);
    case 'pauses':
      return listing(req, await readPauses(redis, keys, req.now), `no pauses under ${keys.prefix}:pause:*`, (rows) => pausesTable(rows, req.now));
    case 'reset':
      return runReset(req, redis, askOnTerminal);
    case 'rules':
      return runRulesCommand({ ...req.rules!, json: req.json });
    case 'pause': {
      const row = await writePause(redis, keys, req.pause!, req.now);
      return req.json ? json(row) : done(`${pausedLine(row, req.now)}\n`);
    }
    case 'resume': {
      const { scope, id } = req.pause!;
      if (await removePause(redis, keys, req.pause!)) return req.json ? json({ scope, id, resumed: true }) : done(`resumed ${scope} ${id}\n`);
      return { stdout: '', stderr: `selfheal: no pause of ${scope} ${id} under ${keys.prefix} (never paused, or it ran out)\n`, code: 1 };
    }
  }
}

async function history(req: CliRequest, redis: Redis, keys: ReturnType<typeof createKeys>): Promise<Outcome> {
  if (req.target === undefined) {
    const rule = req.rule;
    const rows = await readHistory(redis, keys.events, req.limit, rule === undefined ? undefined : (r) => r.target?.startsWith(`${rule}:`) === true);
    if (req.json) return json({ target: null, stream: keys.events, entries: rows });
    return done(`${rows.length === 0 ? `no events in ${keys.events}${filterText(req)}` : historyTable(rows, req.now, true)}\n`);
  }
  const ref = parseTargetRef(req.target);
  if (!ref) {
    return { stdout: '', stderr: `selfheal: "${req.target}" is not a target: write rule:namespace:Kind:name or namespace/kind/name\n`, code: 2 };
  }
  const resolved = await resolveTarget(redis, keys, ref, req.rule);
  if (resolved.kind === 'ambiguous') {
    return { stdout: '', stderr: `selfheal: "${req.target}" is a target of several rules; add --rule, or name one of:\n${resolved.ids.map((id) => `  ${id}\n`).join('')}`, code: 1 };
  }
  const rows = resolved.kind === 'found' ? await readHistory(redis, historyKey(keys, resolved.id), req.limit) : [];
  const record = resolved.kind === 'found' ? await readPassingRun(redis, keys, resolved.id) : { known: false, passing: null };
  if (resolved.kind === 'none' || (rows.length === 0 && !record.known)) {
    const what = resolved.kind === 'found' ? resolved.id : `${req.target}${filterText(req)}`;
    return { stdout: '', stderr: `selfheal: no history for ${what} under ${keys.prefix} (never seen, or expired)\n`, code: 1 };
  }
  if (req.json) return json({ target: resolved.id, stream: historyKey(keys, resolved.id), passing: record.passing, entries: rows });
  const run = record.passing ? `${passingLine(record.passing, req.now)}\n` : '';
  return done(`${resolved.id}\n${run}${rows.length > 0 ? `${historyTable(rows, req.now, false)}\n` : ''}`);
}
