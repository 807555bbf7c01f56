// Sends a run's results as they come, a bounded number at a time: a run over thousands of pods holds only what
// the sink has not taken yet, and the first results reach the healer while the slowest probes still wait.
import type { CloudEvent } from 'cloudevents';
import type { Emitter } from '../emit/emitter.ts';

export interface ResultStream {
  push(event: CloudEvent<unknown>): void;
  /** Resolves when every pushed event has been sent or given up on; rejects with the first failure, if any. */
  drain(): Promise<void>;
  readonly sent: number;
}

export function resultStream(emitter: Emitter, concurrency = 16): ResultStream {
  const queue: CloudEvent<unknown>[] = [];
  let head = 0;
  let active = 0;
  let sent = 0;
  let firstError: unknown;
  let idle: (() => void) | undefined;

  const pump = () => {
    while (active < concurrency && head < queue.length) {
      const event = queue[head]!;
      // The sent part of the queue is let go of as the queue moves on.
      queue[head++] = undefined as unknown as CloudEvent<unknown>;
      if (head > 1_024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      active++;
      emitter.send(event).then(
        () => void sent++,
        (error: unknown) => void (firstError ??= error),
      ).finally(() => {
        active--;
        pump();
      });
    }
    if (active === 0 && head >= queue.length) idle?.();
  };

  return {
    push(event) {
      queue.push(event);
      pump();
    },
    drain() {
      return new Promise<void>((resolve, reject) => {
        idle = () => (firstError === undefined ? resolve() : reject(firstError as Error));
        pump();
      });
    },
    get sent() {
      return sent;
    },
  };
}
