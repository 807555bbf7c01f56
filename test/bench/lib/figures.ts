// How the bench prints a figure: its value, its goal, and whether the goal is met, in one line a reader can grep.

/** The p-th percentile of sorted values (0 when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

/** One measured figure with its goal: "GOAL <name>: <value> (goal <goal>) met|not met". */
export function goal(name: string, value: string, goalText: string, met: boolean): void {
  console.log(`GOAL ${name}: ${value} (goal ${goalText}) ${met ? 'met' : 'not met'}`);
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The bench fails loudly: a wrong answer is not a slow one. Thrown, so that what the bench started is stopped. */
export function fail(message: string): never {
  throw new Error(`BENCH FAILED: ${message}`);
}
