// Environment configuration, parsed once at start-up with zod; a bad value stops the process listing every problem.
import { z } from 'zod';
import { Problems } from './problems.ts';
import { durationMs } from './duration.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''));

export const baseEnvSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RULES_FILE: z.string().min(1).default('/etc/selfheal/rules.yaml'),
  BODY_LIMIT_BYTES: int(1024, 16 * 1024 * 1024).default(256 * 1024),
  /** Knative uses the Service's timeoutSeconds as the SIGTERM grace period; finish well inside it. */
  SHUTDOWN_GRACE: durationMs.default(25_000),
  K_SINK: z.url().optional(),
  SINK_TIMEOUT: durationMs.default(5_000),
  SINK_RETRIES: int(0, 10).default(3),
  KUBE_TIMEOUT: durationMs.default(10_000),
});

export const checkEnvSchema = baseEnvSchema.extend({
  PROBE_CONCURRENCY: int(1, 1024).default(32),
  /** The whole run must end before the next tick of the schedules that fire it (every 10 s for the pod checks). */
  RUN_DEADLINE: durationMs.default(25_000),
  /** PEM file of extra CAs trusted for HTTPS probes (egress through CONNECT, https checks). */
  EXTRA_CA_FILE: z.string().optional(),
});

export const redisEnvSchema = baseEnvSchema.extend({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('selfheal'),
  REDIS_COMMAND_TIMEOUT: durationMs.default(2_000),
  /** At start-up: a Redis not ready by then stops the process (exit 1) rather than leave it alive and not listening. */
  REDIS_CONNECT_TIMEOUT: durationMs.default(5_000),
});

export const healerEnvSchema = redisEnvSchema.extend({
  DRY_RUN: flag.default(false),
  /** Namespaces the healer may touch; empty means the namespaces named by the rules. */
  ALLOWED_NAMESPACES: csv.default([]),
  OPT_IN_LABEL: z
    .string()
    .regex(/^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*$/, 'must be key=value')
    .default('selfheal.io/enabled=true'),
  BUDGET_MAX_ACTIONS: int(0, 10_000).default(10),
  BUDGET_WINDOW: durationMs.default(3_600_000),
  MAX_RESTART_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  ACTION_LEASE: durationMs.default(60_000),
  HISTORY_MAX_LEN: int(10, 1_000_000).default(1_000),
  TARGET_TTL: durationMs.default(7 * 86_400_000),
  /** One key per result lives this long after it is settled. A redelivery is recognised only while its key lives,
   *  and a result is admitted until MAX_RESULT_AGE after its observedAt, which may be MAX_CLOCK_SKEW ahead: so the
   *  key must outlive both (checked below), or a late redelivery would count twice. A pending action's key lives as
   *  long as its lease besides. */
  DEDUPE_TTL: durationMs.default(660_000),
  ALERT_WEBHOOK_URL: z.url().optional(),
  /** Alertmanager's base URL (e.g. http://alertmanager.monitoring:9093): alerts are posted to /api/v2/alerts. */
  ALERTMANAGER_URL: z.url().optional(),
  /** PEM file of extra CAs the healer's own probes trust (confirming an https rule's failure). */
  EXTRA_CA_FILE: z.string().optional(),
  /** How far ahead of the healer's clock a result may be dated (the checks' clocks drift a little). */
  MAX_CLOCK_SKEW: durationMs.default(30_000),
  /** How old a result may be and still count: an older probe says nothing about the target now. */
  MAX_RESULT_AGE: durationMs.default(600_000),
}).superRefine((env, ctx) => {
  const needed = env.MAX_RESULT_AGE + env.MAX_CLOCK_SKEW;
  // A target's record remembers its last quiet pass (which keeps no dedupe key): it must outlive admission as well.
  if (env.TARGET_TTL < needed) {
    ctx.addIssue({
      code: 'custom',
      path: ['TARGET_TTL'],
      message: `must be at least MAX_RESULT_AGE + MAX_CLOCK_SKEW (${needed / 1000} s): a target's record tells a redelivered pass from a new one while the pass is admitted`,
    });
  }
  if (env.DEDUPE_TTL < needed) {
    ctx.addIssue({
      code: 'custom',
      path: ['DEDUPE_TTL'],
      message: `must be at least MAX_RESULT_AGE + MAX_CLOCK_SKEW (${needed / 1000} s): a result is admitted that long, and a redelivery after its dedupe key ran out would count twice`,
    });
  }
});

/** A configuration with problems: every one of them, at once. */
export const configProblems = (problems: string[]): Problems => new Problems('invalid configuration', problems);

/** Empty strings count as unset, as a Knative env entry with no value would. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw configProblems(
      result.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        return `${key}: ${i.message} (got ${JSON.stringify(cleaned[key])})`;
      }),
    );
  }
  return Object.freeze(result.data);
}

export type BaseEnv = z.infer<typeof baseEnvSchema>;
export type CheckEnv = z.infer<typeof checkEnvSchema>;
export type RedisEnv = z.infer<typeof redisEnvSchema>;
export type HealerEnv = z.infer<typeof healerEnvSchema>;
