import { Redis } from 'ioredis';
import { redactUrl } from '../redact.ts';

/** How long start-up waits for Redis before giving up with a clear message. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects an ioredis client that, once up, never gives up on a command: while Redis is away,
 * commands wait in the offline queue and run when it is back (`maxRetriesPerRequest: null`),
 * so a restart of Redis delays requests instead of failing them. The first connection must
 * succeed within {@link REDIS_CONNECT_TIMEOUT_MS}, or this rejects naming `variable` and the URL
 * with its password shown as `***` (the error's `cause` is the client's own error, which may quote
 * the URL: log it only through the scrubbing logger).
 */
export async function connectRedis(url: string, variable: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  });
  // Errors while reconnecting are expected; the offline queue covers them.
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${REDIS_CONNECT_TIMEOUT_MS} ms`)),
          REDIS_CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot reach Redis at ${redactUrl(url)} (${variable}): ${redactUrl(reason)}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
  return redis;
}
