// Sends CloudEvents to K_SINK over a keep-alive undici pool: retries 5xx, 429 and network errors with backoff,
// and treats any other non-2xx as final.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { HTTP } from 'cloudevents';
import type { CloudEvent } from 'cloudevents';
import type { Logger } from '../log/logger.ts';

export class EmitError extends Error {
  readonly status: number | undefined;
  readonly retriable: boolean;
  constructor(message: string, status: number | undefined, retriable: boolean) {
    super(message);
    this.name = 'EmitError';
    this.status = status;
    this.retriable = retriable;
  }
}

export interface Emitter {
  send(event: CloudEvent<unknown>): Promise<void>;
  /** Sends all, `concurrency` at a time; rejects with the first failure after every send has settled. */
  sendAll(events: readonly CloudEvent<unknown>[], concurrency?: number): Promise<void>;
  close(): Promise<void>;
}

export interface EmitterOptions {
  sink: string;
  logger: Logger;
  timeoutMs?: number;
  retries?: number;
  /** First backoff; doubled each retry, with jitter. */
  backoffMs?: number;
  dispatcher?: Dispatcher;
}

/** The first backoff between attempts unless told otherwise: the manifests' timing budget counts on it. */
export const DEFAULT_BACKOFF_MS = 100;

const RETRIABLE = (status: number) => status >= 500 || status === 429 || status === 408;

export function createEmitter(opts: EmitterOptions): Emitter {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  const ownDispatcher = opts.dispatcher === undefined;
  const dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 32 });

  async function attempt(event: CloudEvent<unknown>): Promise<void> {
    const message = HTTP.binary(event);
    const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(opts.sink, {
        method: 'POST',
        headers: message.headers as Record<string, string>,
        body,
        dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new EmitError(`sink ${opts.sink} unreachable: ${(error as Error).message}`, undefined, true);
    }
    const text = await res.body.text().catch(() => '');
    if (res.statusCode >= 200 && res.statusCode < 300) return;
    throw new EmitError(`sink ${opts.sink} answered ${res.statusCode}: ${text.slice(0, 200)}`, res.statusCode, RETRIABLE(res.statusCode));
  }

  async function send(event: CloudEvent<unknown>): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        return await attempt(event);
      } catch (error) {
        const e = error as EmitError;
        if (!e.retriable || i >= retries) throw e;
        const delay = backoffMs * 2 ** i * (0.5 + Math.random() / 2);
        opts.logger.warn({ ceId: event.id, ceType: event.type, attempt: i + 1, err: e.message }, 'sink refused the event, retrying');
        await sleep(delay);
      }
    }
  }

  return {
    send,
    async sendAll(events, concurrency = 16) {
      const queue = [...events];
      let firstError: unknown;
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await send(next).catch((error: unknown) => {
            firstError ??= error;
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      if (firstError) throw firstError;
    },
    async close() {
      if (ownDispatcher) await dispatcher.close();
    },
  };
}
