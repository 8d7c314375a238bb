/**
 * The real Mistral SDK pointed at a Mistral stand-in, for the stand-in's own tests. Its fetcher owns the
 * abort timer (the SDK's own timeout signal is unreliable, see the platform facts), and a response hook
 * keeps the last response's headers.
 */
import assert from 'node:assert/strict';
import { HTTPClient, Mistral } from '@mistralai/mistralai';
import type { MistralStandIn } from '../standins/mistral.ts';

export function connectMistral(standIn: MistralStandIn, opts: { apiKey?: string; timeoutMs?: number } = {}) {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const httpClient = new HTTPClient({
    fetcher: async (input: string | URL | Request, init?: RequestInit) => {
      const ac = new AbortController();
      const timer = setTimeout(
        () => ac.abort(new DOMException('Mistral call timed out', 'TimeoutError')),
        timeoutMs,
      );
      try {
        return await fetch(input, { ...init, signal: ac.signal });
      } finally {
        clearTimeout(timer);
      }
    },
  });
  let last: Headers | undefined;
  httpClient.addHook('response', (res) => {
    last = res.headers;
  });
  const client = new Mistral({ apiKey: opts.apiKey ?? 'test-key', serverURL: standIn.url, httpClient });
  return {
    client,
    httpClient,
    lastHeaders: (): Headers => {
      assert.ok(last, 'no response seen yet');
      return last;
    },
  };
}
