// Runs tasks with bounded concurrency, a timeout per task and one deadline for the whole run; never waits on a
// task past its timeout or the deadline (its signal is aborted and the run moves on).
export interface BoundedTask<R> {
  /** Aborted when the task's own timeout or the run's deadline hits: release sockets and streams then. */
  run(signal: AbortSignal): Promise<R>;
  timeoutMs: number;
}

export type TaskOutcome<R> =
  | { kind: 'done'; value: R; elapsedMs: number }
  | { kind: 'error'; error: Error; elapsedMs: number }
  | { kind: 'timeout'; timeoutMs: number; elapsedMs: number }
  /** The run ended (deadline or abort) before this task finished or even started (then elapsedMs is 0). */
  | { kind: 'cut'; reason: string; elapsedMs: number };

export interface BoundedRunOptions<R = unknown> {
  concurrency: number;
  deadlineMs: number;
  /** Ends the run early, as the deadline would (e.g. the shutdown grace period is over). */
  signal?: AbortSignal;
  now?: () => number;
  /** Told of each task's outcome as soon as it is fixed (the run's end fixes the rest, told then), in no set order. */
  onOutcome?: (index: number, outcome: TaskOutcome<R>) => void;
}

export const DEADLINE_EXCEEDED = 'run deadline exceeded';

/** Resolves with one outcome per task, in the tasks' order. */
export function runBounded<R>(tasks: readonly BoundedTask<R>[], opts: BoundedRunOptions<R>): Promise<TaskOutcome<R>[]> {
  const now = opts.now ?? (() => performance.now());
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  return new Promise((resolve) => {
    const results: Array<TaskOutcome<R> | undefined> = new Array(tasks.length).fill(undefined);
    const startedAt: Array<number | undefined> = new Array(tasks.length).fill(undefined);
    const runAbort = new AbortController();
    let next = 0;
    let running = 0;
    let finished = 0;
    let over = false;

    const end = (reason: string) => {
      if (over) return;
      over = true;
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onOuterAbort);
      const at = now();
      // Outcomes are fixed before the abort, so a task reacting to it synchronously cannot change them.
      const final = results.map((r, i): TaskOutcome<R> => {
        if (r) return r;
        const started = startedAt[i];
        const cut: TaskOutcome<R> = { kind: 'cut', reason, elapsedMs: started === undefined ? 0 : Math.round(at - started) };
        opts.onOutcome?.(i, cut);
        return cut;
      });
      runAbort.abort(new Error(reason));
      resolve(final);
    };
    const onOuterAbort = () => end(`run aborted: ${String((opts.signal?.reason as Error | undefined)?.message ?? 'aborted')}`);
    const deadline = setTimeout(() => end(DEADLINE_EXCEEDED), opts.deadlineMs);

    const start = (i: number, task: BoundedTask<R>) => {
      running++;
      const t0 = now();
      startedAt[i] = t0;
      const own = new AbortController();
      let settled = false;
      // The run is over: this task's outcome is fixed, so its timer must not outlive the run.
      const onRunAbort = () => {
        clearTimeout(timer);
        own.abort(runAbort.signal.reason);
      };
      const settle = (outcome: TaskOutcome<R>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        runAbort.signal.removeEventListener('abort', onRunAbort);
        if (over) return;
        results[i] = outcome;
        opts.onOutcome?.(i, outcome);
        running--;
        finished++;
        pump();
      };
      const timer = setTimeout(() => {
        settle({ kind: 'timeout', timeoutMs: task.timeoutMs, elapsedMs: Math.round(now() - t0) });
        own.abort(new Error(`timed out after ${task.timeoutMs} ms`));
      }, task.timeoutMs);
      runAbort.signal.addEventListener('abort', onRunAbort, { once: true });
      Promise.resolve()
        .then(() => task.run(own.signal))
        .then(
          (value) => settle({ kind: 'done', value, elapsedMs: Math.round(now() - t0) }),
          (error: unknown) => settle({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)), elapsedMs: Math.round(now() - t0) }),
        );
    };

    const pump = () => {
      if (over) return;
      while (running < concurrency && next < tasks.length) {
        const i = next++;
        start(i, tasks[i]!);
      }
      if (finished === tasks.length) {
        over = true;
        clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', onOuterAbort);
        resolve(results as TaskOutcome<R>[]);
      }
    };

    if (opts.signal?.aborted) return end('run aborted before it started');
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    pump();
  });
}
