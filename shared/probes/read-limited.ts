// Reads at most `limit` bytes of a response body, then drops the rest (a probe never buffers a huge answer).
import type { Readable } from 'node:stream';

export const BODY_READ_LIMIT = 64 * 1024;

export async function readLimited(body: Readable, limit = BODY_READ_LIMIT): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size;
    if (chunk.length >= room) {
      chunks.push(chunk.subarray(0, room));
      size = limit;
      // More may follow: stop reading; destroying the body closes that connection rather than draining it.
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
