// Entry point of the proxy selector.
import { redisEnvSchema } from '../../shared/config/env.ts';
import { loadRulesFile } from '../../shared/rules/load.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';
import { HistoryStore } from '../../shared/store/history-store.ts';
import { connectRedis, createRedis } from '../../shared/store/redis-client.ts';
import { redisReadiness } from '../../shared/store/redis-readiness.ts';
import { selectorParts } from './handler.ts';

if (import.meta.main) {
  await runFunction({
    name: 'proxy-selector',
    envSchema: redisEnvSchema,
    setup: async (env, log) => {
      const rules = await loadRulesFile(env.RULES_FILE);
      const redis = createRedis({ url: env.REDIS_URL, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT, connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT, logger: log });
      await connectRedis(redis, { url: env.REDIS_URL, timeoutMs: env.REDIS_CONNECT_TIMEOUT });
      // Only proxyGroup() is used here, which needs no limits beyond the defaults.
      const store = new HistoryStore(redis, env.REDIS_KEY_PREFIX, { historyMaxLen: 1_000, globalMaxLen: 10_000, targetTtlMs: 7 * 86_400_000, dedupeTtlMs: 86_400_000 });
      return selectorParts({ rules, store }, { ready: redisReadiness(redis), close: async () => redis.disconnect() });
    },
  });
}
