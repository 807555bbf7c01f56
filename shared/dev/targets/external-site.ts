// The outside world behind the egress proxy: a tiny HTTP or HTTPS site with fixed, predictable answers.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { closeServer, listen, trackSockets, urlHost } from './sockets.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Self-signed certificate (CA:TRUE) for localhost, 127.0.0.1 and 127.0.0.10–127.0.0.20; give it to clients as `ca`. */
export const EXTERNAL_SITE_CERT_PATH = join(FIXTURES, 'external-site.cert.pem');
export const EXTERNAL_SITE_KEY_PATH = join(FIXTURES, 'external-site.key.pem');
export const EXTERNAL_SITE_CERT_PEM = readFileSync(EXTERNAL_SITE_CERT_PATH, 'utf8');
export const EXTERNAL_SITE_KEY_PEM = readFileSync(EXTERNAL_SITE_KEY_PATH, 'utf8');
/** The certificate is its own CA, so the CA is the same text. */
export const EXTERNAL_SITE_CA_PATH = EXTERNAL_SITE_CERT_PATH;
export const EXTERNAL_SITE_CA_PEM = EXTERNAL_SITE_CERT_PEM;

export interface ExternalSiteOptions {
  host: string;
  port?: number;
  tls?: boolean;
}

export interface ExternalSite {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Requests served so far, as "METHOD path". */
  readonly requests: string[];
  close(): Promise<void>;
}

function handle(req: IncomingMessage, res: ServerResponse, requests: string[]): void {
  const path = new URL(req.url ?? '/', 'http://external.invalid').pathname;
  requests.push(`${req.method ?? '?'} ${path}`);
  const send = (status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (path === '/') return send(200, 'ok');
  const match = /^\/status\/(\d{3})$/.exec(path);
  const status = match?.[1] === undefined ? NaN : Number(match[1]);
  if (status >= 200 && status <= 599) return send(status, `status ${status}`);
  send(404, 'not found');
}

export async function startExternalSite(options: ExternalSiteOptions): Promise<ExternalSite> {
  const { host } = options;
  const tls = options.tls ?? false;
  const requests: string[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => handle(req, res, requests);
  const server = tls
    ? createHttpsServer({ key: EXTERNAL_SITE_KEY_PEM, cert: EXTERNAL_SITE_CERT_PEM }, listener)
    : createHttpServer(listener);
  const tracker = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  return {
    url: `${tls ? 'https' : 'http'}://${urlHost(host)}:${port}`,
    host,
    port,
    tls,
    requests,
    close: () => closeServer(server, tracker),
  };
}
