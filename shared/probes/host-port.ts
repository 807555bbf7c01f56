// The host:port form of a pod address, as URLs and the result's target address write it (IPv6 in brackets).
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
