// Short, operator-readable text for the errors network probes meet (undici and node:net codes).
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const cause = e?.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const detail = typeof cause?.message === 'string' && cause.message !== message ? `: ${cause.message}` : '';
  return code !== undefined && !message.includes(code) ? `${code} ${message}${detail}` : `${message}${detail}`;
}

/** An error caused by the probe's own signal says why the signal fired (timeout, run deadline) instead. */
export function describeProbeError(error: unknown, signal: AbortSignal): string {
  if (!signal.aborted) return describeError(error);
  const reason = signal.reason as { name?: unknown; message?: unknown } | undefined;
  if (reason?.name === 'TimeoutError') return 'timed out';
  return `aborted: ${typeof reason?.message === 'string' ? reason.message : String(reason)}`;
}
