import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { idleTimeoutFetcher } from '../../src/mistral/idle-timeout-fetcher.ts';

const TIMEOUT_MS = 300;

/** A local HTTP server whose one route runs `respond`; closed when the test ends. */
async function serve(t: TestContext, respond: (res: ServerResponse) => Promise<void>): Promise<string> {
  const server = createServer((_req, res) => void respond(res).catch(() => res.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
}

/** Reads the whole body; returns the text and the error that ended it, if any. */
async function readAll(body: ReadableStream<Uint8Array>): Promise<{ text: string; error?: unknown }> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
    return { text };
  } catch (error) {
    return { text, error };
  }
}

describe('idleTimeoutFetcher', () => {
  it('GIVEN a body that stops sending after its first chunk THEN it ends with an idle timeout about one period after that chunk', async (t) => {
    const url = await serve(t, async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await sleep(10_000);
    });
    const res = await idleTimeoutFetcher(TIMEOUT_MS)(url);
    const started = performance.now();
    const { text, error } = await readAll(res.body!);
    const ms = performance.now() - started;
    assert.equal(text, 'data: one\n\n');
    assert.ok(error instanceof Error, 'the stalled body must end with an error');
    assert.equal(error.name, 'IdleTimeout');
    assert.equal(error.message, 'no data for 300 ms');
    assert.ok(ms >= TIMEOUT_MS - 20 && ms < TIMEOUT_MS + 400, `ended after ${Math.round(ms)} ms`);
  });

  it('GIVEN chunks that keep arriving more often than the period, for several periods THEN nothing is cut', async (t) => {
    const url = await serve(t, async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 8; i++) {
        res.write(`data: ${i}\n\n`);
        await sleep(TIMEOUT_MS * 0.5);
      }
      res.end();
    });
    const res = await idleTimeoutFetcher(TIMEOUT_MS)(url);
    const { text, error } = await readAll(res.body!);
    assert.equal(error, undefined);
    assert.equal(text, Array.from({ length: 8 }, (_, i) => `data: ${i}\n\n`).join(''));
  });

  it('GIVEN no headers within the period THEN the fetch itself rejects with the idle timeout', async (t) => {
    const url = await serve(t, () => sleep(10_000));
    await assert.rejects(idleTimeoutFetcher(TIMEOUT_MS)(url), { name: 'IdleTimeout' });
  });

  it('GIVEN the reader cancels the body THEN the server sees the connection close', async (t) => {
    let closed: () => void = () => undefined;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const url = await serve(t, async (res) => {
      res.on('close', closed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await sleep(10_000);
    });
    const res = await idleTimeoutFetcher(TIMEOUT_MS)(url);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel(new Error('stopped by a member'));
    await Promise.race([
      serverSawClose,
      sleep(TIMEOUT_MS / 2).then(() => assert.fail('the upstream connection stayed open')),
    ]);
  });

  it('GIVEN a fetch that undici does not report (another implementation) THEN a body that stalls still ends with the idle timeout, and one that flows is not cut', async (t) => {
    let stall = true;
    // Like any fetch, it errors the body with the signal's reason when the signal aborts.
    t.mock.method(globalThis, 'fetch', async (_input: unknown, init?: RequestInit) => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent === 4) return controller.close();
          if (stall && sent === 1) {
            const signal = init!.signal!;
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
            return controller.error(signal.reason);
          }
          await sleep(TIMEOUT_MS * 0.5);
          controller.enqueue(new TextEncoder().encode(`data: ${sent++}\n\n`));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
    const stalled = await readAll(
      (await idleTimeoutFetcher(TIMEOUT_MS)('http://mistral.invalid/v1/chat/completions')).body!,
    );
    assert.equal(stalled.text, 'data: 0\n\n');
    assert.ok(stalled.error instanceof Error && stalled.error.name === 'IdleTimeout', String(stalled.error));
    stall = false;
    const flowing = await readAll(
      (await idleTimeoutFetcher(TIMEOUT_MS)('http://mistral.invalid/v1/chat/completions')).body!,
    );
    assert.equal(flowing.error, undefined);
    assert.equal(flowing.text, 'data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n');
  });
});
