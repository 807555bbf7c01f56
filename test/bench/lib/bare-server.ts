// The yardstick: a bare node:http server that reads the JSON body, parses it and answers 202, as a Node function
// with nothing to do would. Run as a process of its own; prints {"ready":true,"url":…} once listening.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(202).end();
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}/` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
