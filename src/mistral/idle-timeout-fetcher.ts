import type { Fetcher } from '@mistralai/mistralai/lib/http.js';

/** Why an attempt was aborted: nothing arrived from Mistral for the configured time. */
export class IdleTimeout extends Error {
  override readonly name = 'IdleTimeout';
}

/**
 * A fetch that aborts an attempt when nothing has arrived for `timeoutMs` (before the headers
 * or between body chunks), using its own AbortController and timer, and that awaits
 * `beforeSend` right before a chat request leaves.
 */
export function idleTimeoutFetcher(
  timeoutMs: number,
  beforeSend?: () => Promise<void>,
  callSignal?: () => AbortSignal | undefined,
): Fetcher {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (beforeSend && /\/chat\/completions$/.test(new URL(url).pathname)) await beforeSend();
    const controller = new AbortController();
    // One timer per request, not one per chunk: it looks at the time of the last activity when it
    // fires and waits again for the rest of the period if something has arrived since.
    let last = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const watch = (ms: number) => {
      timer = setTimeout(() => {
        const idle = performance.now() - last;
        if (idle >= timeoutMs) controller.abort(new IdleTimeout(`no data for ${timeoutMs} ms`));
        else watch(timeoutMs - idle);
      }, ms);
      // A body its reader abandoned never ends; the timer must not hold the process open.
      timer.unref();
    };
    for (const outer of [
      init?.signal ?? (input instanceof Request ? input.signal : undefined),
      callSignal?.(),
    ]) {
      if (!outer) continue;
      if (outer.aborted) controller.abort(outer.reason);
      else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    }
    watch(timeoutMs);
    let res: Response;
    try {
      res = await fetch(input as string | URL | Request, { ...init, signal: controller.signal });
    } catch (error) {
      clearTimeout(timer);
      throw controller.signal.reason instanceof IdleTimeout ? controller.signal.reason : error;
    }
    if (!res.body) {
      clearTimeout(timer);
      return res;
    }
    last = performance.now();
    // The body read through: each chunk counts as activity. (A plain pull source costs less per
    // chunk than a TransformStream, which pipes through a second stream.)
    const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
    const watched = new ReadableStream<Uint8Array>({
      async pull(sink) {
        const read = await reader.read().catch((error: unknown) => {
          clearTimeout(timer);
          throw error;
        });
        if (read.done) {
          clearTimeout(timer);
          sink.close();
          return;
        }
        last = performance.now();
        sink.enqueue(read.value);
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    });
    return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** Whether `error`, or one of its causes, is an {@link IdleTimeout}. */
export function causedByIdleTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof IdleTimeout) return true;
    current = current.cause;
  }
  return false;
}
