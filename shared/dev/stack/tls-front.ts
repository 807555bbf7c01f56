// example.com over HTTPS for the simulated world: TLS ends here with the example.com certificate, and the bytes go on
// to the plain site, so that one site serves both http:// and https://.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import type { ExternalSite } from '../targets/index.ts';

const FIXTURES = join(import.meta.dirname, '..', 'targets', 'fixtures');
/** Self-signed (CA:TRUE) for DNS:example.com: the CA check-egress trusts through EXTRA_CA_FILE. */
export const EXAMPLE_COM_CERT_PATH = join(FIXTURES, 'example-com.cert.pem');
const EXAMPLE_COM_KEY_PATH = join(FIXTURES, 'example-com.key.pem');

/** Terminates TLS for example.com and passes the bytes to the plain site, so one site serves http and https. */
export async function startTlsFront(upstream: ExternalSite): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: readFileSync(EXAMPLE_COM_KEY_PATH), cert: readFileSync(EXAMPLE_COM_CERT_PATH) }, (client) => {
    const back = connect({ host: upstream.host, port: upstream.port });
    for (const s of [client, back]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        back.destroy();
      });
    }
    client.pipe(back).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
