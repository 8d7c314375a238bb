import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { Fetcher } from '@mistralai/mistralai/lib/http.js';

/** Why an attempt was aborted: nothing arrived from Mistral for the configured time. */
export class IdleTimeout extends Error {
  override readonly name = 'IdleTimeout';
}

/** What one request of the fetcher has seen arrive: the time of its last bytes. */
interface Activity {
  last: number;
  /** Set once undici has created the request for this fetch (see {@link watchUndici}). */
  seen: boolean;
  /** Clears the idle timer: the response is complete, or failed. */
  done(): void;
}

/** The fetch under way in this async context, for undici's diagnostics channels to find. */
const current = new AsyncLocalStorage<Activity>();
/** undici's request objects of the fetches under way. */
const activityOf = new WeakMap<object, Activity>();
let watching = false;
/** Whether this Node's undici reports body chunks at all (older versions have no such channel). */
let chunksReported = false;

/**
 * Follows every undici request of this fetcher at the socket through undici's diagnostics channels
 * (as the client follows `undici:client:sendHeaders` for pacing): a request created inside one of
 * our fetches is linked to its {@link Activity}, each body chunk that arrives is activity, and
 * the end of the response (or its failure) clears the timer. Nothing wraps the body, so the
 * reader reads undici's own stream.
 */
function watchUndici(): void {
  if (watching) return;
  watching = true;
  const touched = (message: unknown) => {
    const activity = activityOf.get((message as { request: object }).request);
    if (activity) activity.last = performance.now();
  };
  const ended = (message: unknown) => {
    const request = (message as { request: object }).request;
    activityOf.get(request)?.done();
    activityOf.delete(request);
  };
  diagnostics.subscribe('undici:request:create', (message) => {
    const activity = current.getStore();
    if (!activity) return;
    activity.seen = true;
    activityOf.set((message as { request: object }).request, activity);
  });
  diagnostics.subscribe('undici:request:headers', touched);
  diagnostics.subscribe('undici:request:bodyChunkReceived', (message) => {
    chunksReported = true;
    touched(message);
  });
  diagnostics.subscribe('undici:request:trailers', ended);
  diagnostics.subscribe('undici:request:error', ended);
}

/**
 * A fetch that aborts an attempt when nothing has arrived for `timeoutMs` (before the headers
 * or between body chunks), using its own AbortController and timer, and that awaits
 * `beforeSend` right before a chat request leaves. Arrivals are seen at the socket (undici's
 * diagnostics channels); a fetch whose request undici did not report that way (another fetch
 * implementation, or an undici that does not report body chunks yet) has its body read through a
 * watching stream instead.
 */
export function idleTimeoutFetcher(
  timeoutMs: number,
  beforeSend?: () => Promise<void>,
  callSignal?: () => AbortSignal | undefined,
): Fetcher {
  watchUndici();
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (beforeSend && /\/chat\/completions$/.test(new URL(url).pathname)) await beforeSend();
    const controller = new AbortController();
    // One timer per request, not one per chunk: it looks at the time of the last activity when it
    // fires and waits again for the rest of the period if something has arrived since.
    let timer: NodeJS.Timeout | undefined;
    const activity: Activity = { last: performance.now(), seen: false, done: () => clearTimeout(timer) };
    const watch = (ms: number) => {
      timer = setTimeout(() => {
        const idle = performance.now() - activity.last;
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
      res = await current.run(activity, () =>
        fetch(input as string | URL | Request, { ...init, signal: controller.signal }),
      );
    } catch (error) {
      activity.done();
      throw controller.signal.reason instanceof IdleTimeout ? controller.signal.reason : error;
    }
    activity.last = performance.now();
    if (!res.body) {
      activity.done();
      return res;
    }
    // Until undici has reported a body chunk in this process, it may not report them at all.
    return activity.seen && chunksReported ? res : watchedBody(res, activity);
  };
}

/** The response with its body read through a stream that counts each chunk as activity. */
function watchedBody(res: Response, activity: Activity): Response {
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  const watched = new ReadableStream<Uint8Array>({
    async pull(sink) {
      const read = await reader.read().catch((error: unknown) => {
        activity.done();
        throw error;
      });
      if (read.done) {
        activity.done();
        sink.close();
        return;
      }
      activity.last = performance.now();
      sink.enqueue(read.value);
    },
    cancel(reason) {
      activity.done();
      return reader.cancel(reason);
    },
  });
  return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
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
