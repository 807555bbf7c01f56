// Tracks background work (runtime callbacks, delayed re-creations) so settle() and close() can wait for it.

export class Tasks {
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private errors: unknown[] = [];

  track(work: Promise<unknown>): void {
    const done: Promise<void> = work.then(
      () => undefined,
      (err: unknown) => {
        this.errors.push(err);
      },
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  // A timer that settle() waits for; cancelAll() drops it without running it.
  later(ms: number, fn: () => void): void {
    let release = (): void => {};
    const finished = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } finally {
        release();
      }
    }, ms);
    this.timers.set(timer, release);
    this.track(finished);
  }

  cancelTimers(): void {
    for (const [timer, release] of this.timers) {
      clearTimeout(timer);
      release();
    }
    this.timers.clear();
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    const errors = this.errors;
    this.errors = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'kube-sim: pod runtime callbacks failed');
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
