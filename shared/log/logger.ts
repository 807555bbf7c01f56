// pino loggers: one root per process, and children that carry the event id, type, rule and target.
import { pino } from 'pino';
import type { Logger } from 'pino';
import { prettyDestination, wantsPretty } from './pretty.ts';

export type { Logger };

/** Without a destination: stdout, readable on a terminal and JSON otherwise (LOG_FORMAT=pretty or json decides). */
export function createLogger(opts: { name: string; level?: string; destination?: pino.DestinationStream }): Logger {
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level ?? 'info',
    base: { fn: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (opts.destination) return pino(options, opts.destination);
  return wantsPretty() ? pino(options, prettyDestination(process.stdout, true)) : pino(options);
}

export interface EventLogFields {
  id: string;
  type: string;
  rule?: string;
  /** The rules a ping names (comma-separated): its lines about each target then name that target's one `rule`. */
  rules?: string;
  target?: string;
}

/** Every line about an event carries these fields, so one event's story can be grepped out of the logs. */
export function eventLogger(logger: Logger, fields: EventLogFields): Logger {
  return logger.child({ ceId: fields.id, ceType: fields.type, rule: fields.rule, rules: fields.rules, target: fields.target });
}
