// One readable line per pino JSON line, for a person at a terminal: time, level, who speaks, the message, then the
// other fields as key=value. A small formatter of our own rather than pino-pretty keeps the dependency list as it is.

const LEVELS: Record<string, { label: string; color: string }> = {
  trace: { label: 'TRACE', color: '90' },
  debug: { label: 'DEBUG', color: '36' },
  info: { label: 'INFO ', color: '32' },
  warn: { label: 'WARN ', color: '33' },
  error: { label: 'ERROR', color: '31' },
  fatal: { label: 'FATAL', color: '35' },
};
const NUMERIC_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has; the formatter shows them in the line's head, not as key=value. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'fn', 'msg']);
/** For machines (grep, a log collector): ids and payloads stay in the JSON, not on a person's screen. */
const MACHINE_FIELDS = new Set(['ceId', 'ceType', 'runId', 'source', 'subject', 'from', 'data']);

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function clock(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date();
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().slice(11, 23);
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One readable line, e.g. `12:00:01.234 INFO  healer      healed  rule=nginx-http action=restart`. */
export function formatLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const levelName = typeof entry.level === 'number' ? (NUMERIC_LEVELS[entry.level] ?? 'info') : String(entry.level ?? 'info');
  const level = LEVELS[levelName] ?? { label: levelName.toUpperCase().padEnd(5), color: '0' };
  const fn = String(entry.fn ?? entry.name ?? '');
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(entry)) {
    if (HEAD_FIELDS.has(k) || MACHINE_FIELDS.has(k) || v === undefined || v === null) continue;
    // A ping's rules on a line about one of them: the line's own rule says it.
    if (k === 'rules' && entry.rule !== undefined) continue;
    const err = v as { message?: unknown; stack?: unknown } | null;
    if (k === 'err' && typeof err === 'object' && err !== null && typeof err.message === 'string') {
      fields.push(`err=${value(err.message)}`);
      if (typeof err.stack === 'string') stack = `\n${paint(color, '90', err.stack)}`;
      continue;
    }
    fields.push(`${k}=${value(v)}`);
  }
  const head = `${paint(color, '90', clock(entry.time))} ${paint(color, level.color, level.label)} ${paint(color, '1', fn.padEnd(18))}`;
  return `${head} ${String(entry.msg ?? '')}${fields.length > 0 ? `  ${paint(color, '90', fields.join(' '))}` : ''}${stack}`;
}

/** A pino destination that writes each line readable (colours when `color`). */
export function prettyDestination(stream: NodeJS.WritableStream, color: boolean): { write(line: string): void } {
  return {
    write(line: string) {
      const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
      stream.write(`${formatLine(trimmed, color)}\n`);
    },
  };
}

/** LOG_FORMAT=pretty or json decides; unset, a terminal gets readable lines and anything else JSON. */
export function wantsPretty(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (env.LOG_FORMAT === 'pretty') return true;
  if (env.LOG_FORMAT === 'json') return false;
  return stream.isTTY === true;
}
