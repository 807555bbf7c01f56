// The "answered, but too slowly" rule shared by every probe kind that has slowMs.
export function isSlow(latencyMs: number, slowMs: number | undefined): boolean {
  return slowMs !== undefined && latencyMs > slowMs;
}
