// Redis errors become 503 answers: the Broker redelivers, and nothing was half-applied because commits are atomic.
import { unavailable } from '../../shared/http/http-error.ts';

export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailable(`history store unavailable: ${(error as Error).message}`, { kind: 'redis' });
  }
}
