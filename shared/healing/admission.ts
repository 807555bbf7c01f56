// What a result must be before it reaches a decision, judged against the healer's own clock. No I/O.

/** The problem with a result's observedAt, naming the field and the value, or undefined when it may count. */
export function observedAtProblem(observedAt: string, now: number, limits: { maxClockSkewMs: number; maxResultAgeMs: number }): string | undefined {
  const at = Date.parse(observedAt);
  if (at > now + limits.maxClockSkewMs) {
    return `data.observedAt ${observedAt} is ${Math.round((at - now) / 1000)} s in the future (MAX_CLOCK_SKEW allows ${limits.maxClockSkewMs / 1000} s)`;
  }
  if (at < now - limits.maxResultAgeMs) {
    return `data.observedAt ${observedAt} is older than MAX_RESULT_AGE (${limits.maxResultAgeMs / 1000} s before ${new Date(now).toISOString()})`;
  }
  return undefined;
}
