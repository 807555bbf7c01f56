// The simulated pods as a person reads them: one line each, namespace, name and address, under a header.

export interface PodListing {
  readonly namespace: string;
  readonly deployment: string;
  readonly name: string;
  /** ip:port */
  readonly address: string;
}

export function podTable(pods: readonly PodListing[]): string {
  const rows = [['NAMESPACE', 'NAME', 'ADDRESS'], ...pods.map((p) => [p.namespace, p.name, p.address])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!}`).join('\n');
}
