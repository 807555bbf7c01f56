// Parses the selfheal command line into a frozen request; every mistake is a returned usage error, never a throw.

import { parsePauseArgs } from './pause-args.ts';
import type { PauseArgs } from './pause-args.ts';
import { parseRulesArgs } from './rules-args.ts';
import type { RulesArgs } from './rules-args.ts';

export const COMMANDS = ['targets', 'units', 'history', 'proxies', 'stats', 'pause', 'resume', 'pauses', 'rules', 'reset'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliRequest {
  command: Command;
  redisUrl: string;
  prefix: string;
  json: boolean;
  /** The instant relative times are measured from: the clock, unless --now pins it (reproducible output). */
  now: number;
  rule?: string;
  namespace?: string;
  /** history only: a target id (rule:namespace:Kind:name) or namespace/kind/name; absent means the global stream. */
  target?: string;
  limit: number;
  /** pause and resume: what is paused or resumed. */
  pause?: PauseArgs;
  /** rules: what to do with which file (no Redis is opened). */
  rules?: RulesArgs;
  /** reset: delete without asking. */
  yes?: boolean;
}

export type Parsed = { kind: 'run'; request: CliRequest } | { kind: 'help' } | { kind: 'usage-error'; message: string };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_PREFIX = 'selfheal';
export const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 10_000;

// The same rules the healer applies to REDIS_URL and REDIS_KEY_PREFIX (shared/config/env.ts).
const URL_PATTERN = /^rediss?:\/\//;
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]+$/;

const VALUE_OPTIONS = ['redis', 'prefix', 'rule', 'namespace', 'limit', 'now', 'workload', 'for', 'reason', 'by', 'pingsources'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

/** Which command-specific options each command accepts; --redis, --prefix, --json, --now and --help go with any. */
const ALLOWED: Readonly<Record<Command, readonly ValueOption[]>> = {
  targets: ['rule', 'namespace'],
  units: ['rule', 'namespace'],
  history: ['rule', 'limit'],
  proxies: [],
  stats: ['rule'],
  pause: ['namespace', 'rule', 'workload', 'for', 'reason', 'by'],
  resume: ['namespace', 'rule', 'workload'],
  pauses: [],
  rules: ['pingsources'],
  reset: [],
};
const GLOBAL: readonly ValueOption[] = ['redis', 'prefix', 'now'];

export const USAGE = `Usage: selfheal <command> [options]

Reads the healer's history from Redis, sets operators' pauses, and checks rules files.

Commands:
  targets [--rule R] [--namespace N]       every target seen: state, failures, last failure
  units [--rule R] [--namespace N]         every healing unit: ladder step, last action, success rate
  history [TARGET] [--rule R] [--limit N]  a target's timeline, newest first; without TARGET the global stream
                                           TARGET is rule:namespace:Kind:name or namespace/kind/name
  proxies                                  every proxy group: status, active role, switches
  stats [--rule R]                         per rule: actions performed, healed, not healed; decision reasons
  pause (--namespace N | --rule R | --workload NS/Kind/name) --for DURATION --reason TEXT [--by NAME]
                                           stop healing there until the pause runs out (checks keep running)
  resume (--namespace N | --rule R | --workload NS/Kind/name)
                                           end a pause now
  pauses                                   every pause running: what, who, why, until when
  reset [--yes]                            delete every key under the prefix (all history, state, pauses),
                                           after asking; --yes does not ask
  rules validate FILE                      check a rules file: every problem, once each (exit 1 if any)
  rules list FILE [--pingsources FILE]     each rule: kind, targets, schedule (knative/pingsources.yaml
                                           next to FILE unless named), actions

Options:
  --redis URL     Redis to read (default: $REDIS_URL, else ${DEFAULT_REDIS_URL})
  --prefix P      key prefix (default: $REDIS_KEY_PREFIX, else ${DEFAULT_PREFIX})
  --json          print JSON instead of tables
  --now ISO       measure relative times from this instant instead of the clock
  --help, -h      show this help

Exit codes: 0 done, 1 Redis unreachable, the target has no history or there is no such pause to resume,
2 usage error.
`;

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

interface Tokens {
  values: Partial<Record<ValueOption, string>>;
  positionals: string[];
  json: boolean;
  help: boolean;
  yes: boolean;
}

/** Splits the words into options and positionals, before any of them is judged. */
function tokenize(argv: readonly string[]): Tokens | { error: string } {
  const tokens: Tokens = { values: {}, positionals: [], json: false, help: false, yes: false };
  const { values } = tokens;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') tokens.help = true;
    else if (arg === '--json') tokens.json = true;
    else if (arg === '--yes') tokens.yes = true;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!isValueOption(name)) return { error: `unknown option ${arg}` };
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') return { error: `option --${name} needs a value` };
      if (values[name] !== undefined) return { error: `option --${name} given twice` };
      values[name] = value;
    } else if (arg.startsWith('-') && arg !== '-') return { error: `unknown option ${arg}` };
    else tokens.positionals.push(arg);
  }
  return tokens;
}

export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, clock: number): Parsed {
  const tokens = tokenize(argv);
  if ('error' in tokens) return { kind: 'usage-error', message: tokens.error };
  const { values, positionals, json, help, yes } = tokens;
  if (help) return { kind: 'help' };

  const [word, ...rest] = positionals;
  if (word === undefined) return { kind: 'usage-error', message: 'no command given' };
  if (word === 'help') return { kind: 'help' };
  if (!isCommand(word)) return { kind: 'usage-error', message: `unknown command "${word}"` };
  for (const name of Object.keys(values) as ValueOption[]) {
    if (!GLOBAL.includes(name) && !ALLOWED[word].includes(name)) return { kind: 'usage-error', message: `option --${name} does not apply to ${word}` };
  }
  if (yes && word !== 'reset') return { kind: 'usage-error', message: `option --yes does not apply to ${word}` };
  let rules: RulesArgs | undefined;
  if (word === 'rules') {
    const read = parseRulesArgs(rest, values.pingsources);
    if ('error' in read) return { kind: 'usage-error', message: read.error };
    rules = read;
  } else if (rest.length > (word === 'history' ? 1 : 0)) return { kind: 'usage-error', message: `unexpected argument "${rest.at(-1)}"` };

  // Empty variables count as unset, as the healer's own configuration does.
  const redisUrl = values.redis ?? (env.REDIS_URL || DEFAULT_REDIS_URL);
  if (!URL_PATTERN.test(redisUrl)) {
    return { kind: 'usage-error', message: `${values.redis ? '--redis' : 'REDIS_URL'} must start with redis:// or rediss:// (got ${JSON.stringify(redisUrl)})` };
  }
  const prefix = values.prefix ?? (env.REDIS_KEY_PREFIX || DEFAULT_PREFIX);
  if (!PREFIX_PATTERN.test(prefix)) {
    return { kind: 'usage-error', message: `${values.prefix ? '--prefix' : 'REDIS_KEY_PREFIX'} may hold only letters, digits, "_", "." and "-" (got ${JSON.stringify(prefix)})` };
  }
  let limit = DEFAULT_LIMIT;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || limit < 1 || limit > MAX_LIMIT) return { kind: 'usage-error', message: `--limit must be a whole number from 1 to ${MAX_LIMIT} (got ${values.limit})` };
  }
  let now = clock;
  if (values.now !== undefined) {
    now = Date.parse(values.now);
    if (!Number.isFinite(now)) return { kind: 'usage-error', message: `--now must be a date such as 2026-11-23T12:00:00Z (got ${values.now})` };
  }
  let pause: PauseArgs | undefined;
  if (word === 'pause' || word === 'resume') {
    const read = parsePauseArgs(word, values, env);
    if ('error' in read) return { kind: 'usage-error', message: read.error };
    pause = read;
  }
  const target = word === 'history' ? rest[0] : undefined;
  return {
    kind: 'run',
    request: Object.freeze({
      command: word,
      redisUrl,
      prefix,
      json,
      now,
      limit,
      ...(values.rule !== undefined && !pause ? { rule: values.rule } : {}),
      ...(values.namespace !== undefined && !pause ? { namespace: values.namespace } : {}),
      ...(target !== undefined ? { target } : {}),
      ...(pause ? { pause } : {}),
      ...(rules ? { rules } : {}),
      ...(yes ? { yes } : {}),
    }),
  };
}
