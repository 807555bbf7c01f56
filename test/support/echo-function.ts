// A minimal function on the shared server, for tests of the server itself: it echoes pings back as events.
import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseEnvSchema } from '../../shared/config/env.ts';
import { buildEvent } from '../../shared/events/build.ts';
import { EventType } from '../../shared/events/types.ts';
import { on } from '../../shared/http/function-server.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';
import { runFunction } from '../../shared/runtime/run-function.ts';

export const echoData = z.strictObject({ rules: z.array(z.string()).min(1), delayMs: z.number().int().min(0).max(10_000).optional() });

export async function echoParts(): Promise<FunctionParts> {
  return {
    handlers: {
      [EventType.ping]: on(echoData, async (data, ctx) => {
        if (data.delayMs) await sleep(data.delayMs);
        if (data.rules.includes('quiet')) return undefined;
        return { event: buildEvent(EventType.alert, { echoed: data.rules, from: ctx.event.id }, { source: '/selfheal/echo' }) };
      }),
    },
    describe: (d) => ({ rule: (d as { rules: string[] }).rules.join(',') }),
  };
}

if (import.meta.main) {
  await runFunction({ name: 'echo', envSchema: baseEnvSchema, setup: echoParts });
}
