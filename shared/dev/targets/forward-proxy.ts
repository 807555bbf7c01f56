// A Squid stand-in for egress checks: forwards absolute-URI HTTP, tunnels CONNECT, and can "lose" its upstream.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { closeServer, listen, trackSockets, urlHost } from './sockets.ts';

export interface ForwardProxyOptions {
  host: string;
  port?: number;
  /** CONNECT ports allowed besides 443 (stock Squid's SSL_ports); tests run HTTPS on ephemeral ports. */
  allowConnectPorts?: readonly number[];
  /**
   * Like a Squid hosts file: names answered by local stand-ins instead of DNS. `ports` maps the requested port to
   * the stand-in's, since loopback stand-ins cannot listen on 80 or 443. Access rules (CONNECT ports) still apply
   * to the port the client asked for, as Squid checks them before resolving.
   */
  resolve?: Readonly<Record<string, ResolvedName>>;
}

export interface ResolvedName {
  host: string;
  ports?: Readonly<Record<number, number>>;
}

export interface ProxiedRequest {
  method: string;
  /** The request-target as received: an absolute URI, `host:port` for CONNECT, or a bare path. */
  target: string;
}

export interface ForwardProxy {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly requests: ProxiedRequest[];
  readonly upstreamLost: boolean;
  /** Answer every request as Squid does when the outside is unreachable (503 ERR_CONNECT_FAIL). */
  loseUpstream(): void;
  restoreUpstream(): void;
  close(): Promise<void>;
}

const VIA = '1.1 selfheal-proxy (squid-standin)';

// RFC 9110 §7.6.1: connection-specific fields a proxy must not forward.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set((headers.connection ?? '').split(',').map((h) => h.trim().toLowerCase()));
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function errorPage(status: number, reason: string, squidError: string, detail: string): { head: string; body: string } {
  const body =
    `<!DOCTYPE html>\n<html><head><title>ERROR: The requested URL could not be retrieved</title></head>` +
    `<body><h1>ERROR</h1><p>${squidError}: ${detail}</p></body></html>\n`;
  const head =
    `HTTP/1.1 ${status} ${reason}\r\n` +
    `Content-Type: text/html;charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Squid-Error: ${squidError}\r\n` +
    `Via: ${VIA}\r\n` +
    `Connection: close\r\n\r\n`;
  return { head, body };
}

function sendError(res: ServerResponse, status: number, squidError: string, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { body } = errorPage(status, '', squidError, detail);
  res.writeHead(status, {
    'content-type': 'text/html;charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-squid-error': squidError,
    via: VIA,
  });
  res.end(body);
}

function writeRawError(socket: Socket, status: number, reason: string, squidError: string, detail: string): void {
  const { head, body } = errorPage(status, reason, squidError, detail);
  socket.end(head + body);
}

/** Squid maps connect-phase failures to 503 ERR_CONNECT_FAIL and later failures to 502 ERR_READ_ERROR. */
function upstreamFailure(err: NodeJS.ErrnoException, connected: boolean): { status: number; squidError: string } {
  if (!connected) return { status: 503, squidError: `ERR_CONNECT_FAIL ${err.code ?? ''}`.trim() };
  return { status: 502, squidError: `ERR_READ_ERROR ${err.code ?? ''}`.trim() };
}

function parseAuthority(target: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: match[1], port } : undefined;
}

/** Where a requested host:port really lives, after the proxy's own name table. */
function resolveUpstream(table: ForwardProxyOptions['resolve'], host: string, port: number): { host: string; port: number } {
  const entry = table?.[host.toLowerCase()];
  if (entry === undefined) return { host, port };
  return { host: entry.host, port: entry.ports?.[port] ?? port };
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const { host } = options;
  const names = options.resolve === undefined ? undefined : Object.fromEntries(Object.entries(options.resolve).map(([k, v]) => [k.toLowerCase(), v]));
  const allowedConnectPorts = new Set([443, ...(options.allowConnectPorts ?? [])]);
  const requests: ProxiedRequest[] = [];
  let upstreamLost = false;

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? '';
    requests.push({ method: req.method ?? '', target });
    let url: URL | undefined;
    try {
      url = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? new URL(target) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined) {
      sendError(res, 400, 'ERR_INVALID_URL', `not an absolute URI: ${target}`);
      return;
    }
    if (url.protocol !== 'http:') {
      sendError(res, 400, 'ERR_UNSUP_REQ', `unsupported scheme ${url.protocol}`);
      return;
    }
    if (upstreamLost) {
      sendError(res, 503, 'ERR_CONNECT_FAIL 111', `cannot reach ${url.host}`);
      return;
    }
    const headers = endToEnd(req.headers);
    headers.host = url.host;
    headers.via = req.headers.via === undefined ? VIA : `${req.headers.via}, ${VIA}`;
    let connected = false;
    const where = resolveUpstream(names, url.hostname.replace(/^\[|\]$/g, ''), url.port === '' ? 80 : Number(url.port));
    const upstream = httpRequest(
      {
        host: where.host,
        port: where.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false,
      },
      (upstreamRes) => {
        const out = endToEnd(upstreamRes.headers);
        const via = upstreamRes.headers.via;
        out.via = via === undefined ? VIA : `${via}, ${VIA}`;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out);
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstream.on('socket', (socket) => {
      tracker.add(socket);
      socket.once('connect', () => {
        connected = true;
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      const { status, squidError } = upstreamFailure(err, connected);
      sendError(res, status, squidError, err.message);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(forward);
  const tracker = trackSockets(server);

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    requests.push({ method: 'CONNECT', target });
    // The http server stops tracking a socket once it is handed to 'connect'.
    tracker.add(client);
    client.on('error', () => client.destroy());
    const authority = parseAuthority(target);
    if (authority === undefined) {
      writeRawError(client, 400, 'Bad Request', 'ERR_INVALID_REQ', `bad CONNECT target ${target}`);
      return;
    }
    if (!allowedConnectPorts.has(authority.port)) {
      writeRawError(client, 403, 'Forbidden', 'ERR_ACCESS_DENIED', `CONNECT to port ${authority.port} denied`);
      return;
    }
    if (upstreamLost) {
      writeRawError(client, 503, 'Service Unavailable', 'ERR_CONNECT_FAIL 111', `cannot reach ${target}`);
      return;
    }
    const upstream = connect(resolveUpstream(names, authority.host, authority.port));
    tracker.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.write(`HTTP/1.1 200 Connection established\r\nVia: ${VIA}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) {
        client.destroy();
        return;
      }
      const { status, squidError } = upstreamFailure(err, false);
      writeRawError(client, status, 'Service Unavailable', squidError, err.message);
    });
    client.once('close', () => upstream.destroy());
  });

  const port = await listen(server, host, options.port ?? 0);
  return {
    url: `http://${urlHost(host)}:${port}`,
    host,
    port,
    requests,
    get upstreamLost() {
      return upstreamLost;
    },
    loseUpstream() {
      upstreamLost = true;
    },
    restoreUpstream() {
      upstreamLost = false;
    },
    close: () => closeServer(server, tracker),
  };
}
