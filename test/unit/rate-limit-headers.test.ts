import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  parseRateLimitHeaders,
  parseRetryAfter,
  saysMonthSpent,
  saysUnavailable,
} from '../../src/mistral/rate-limit-headers.ts';

describe('rate-limit headers', () => {
  it('GIVEN the 2026 header names THEN every window is read', () => {
    const s = parseRateLimitHeaders(
      new Headers({
        'x-ratelimit-limit-req-minute': '50',
        'x-ratelimit-remaining-req-minute': '49',
        'x-ratelimit-limit-tokens-minute': '50000',
        'x-ratelimit-remaining-tokens-minute': '49000',
        'x-ratelimit-limit-tokens-month': '4000000',
        'x-ratelimit-remaining-tokens-month': '3999000',
        'x-ratelimit-tokens-query-cost': '1000',
      }),
    );
    assert.deepEqual(s.requestsPerMinute, { limit: 50, remaining: 49 });
    assert.deepEqual(s.tokensPerMinute, { limit: 50_000, remaining: 49_000 });
    assert.deepEqual(s.tokensPerMonth, { limit: 4_000_000, remaining: 3_999_000 });
    assert.equal(s.queryCost, 1000);
    assert.ok(!saysUnavailable(s));
    assert.ok(!saysMonthSpent(s));
  });

  it('GIVEN both the older and the 2026 names, and an empty value THEN the 2026 names win and the empty one is not read as 0', () => {
    const s = parseRateLimitHeaders(
      new Headers({
        'ratelimitbysize-limit': '500000',
        'ratelimitbysize-query-cost': '7',
        'X-RateLimit-Limit-Tokens-Minute': '50000',
        'x-ratelimit-tokens-query-cost': '1000',
        'x-ratelimit-limit-req-minute': '',
      }),
    );
    assert.deepEqual(s.tokensPerMinute, { limit: 50_000 });
    assert.equal(s.queryCost, 1000);
    assert.equal(s.requestsPerMinute, undefined);
    assert.ok(!saysUnavailable(s));
  });

  it('GIVEN the older ratelimitbysize names THEN the token-minute window is read', () => {
    const s = parseRateLimitHeaders(
      new Headers({
        'ratelimitbysize-limit': '500000',
        'ratelimitbysize-remaining': '12',
        'ratelimitbysize-query-cost': '7',
      }),
    );
    assert.deepEqual(s.tokensPerMinute, { limit: 500_000, remaining: 12 });
    assert.equal(s.queryCost, 7);
  });

  it('GIVEN a limit of 0 THEN the model is unavailable; GIVEN month remaining 0 THEN the month is spent', () => {
    assert.ok(
      saysUnavailable(parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit-tokens-minute': '0' }))),
    );
    assert.ok(
      saysMonthSpent(
        parseRateLimitHeaders(
          new Headers({ 'x-ratelimit-limit-tokens-month': '100', 'x-ratelimit-remaining-tokens-month': '0' }),
        ),
      ),
    );
  });

  it('GIVEN Retry-After in seconds or as a date THEN it becomes milliseconds', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRateLimitHeaders(new Headers({ 'retry-after': '2' }), now).retryAfterMs, 2000);
  });

  it('GIVEN arbitrary header values THEN parsing never throws and never yields negative or NaN numbers', () => {
    const names = [
      'x-ratelimit-limit-req-minute',
      'x-ratelimit-remaining-tokens-minute',
      'x-ratelimit-limit-tokens-month',
      'ratelimitbysize-limit',
      'retry-after',
      'x-ratelimit-tokens-query-cost',
      'x-unrelated',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ unit: 'grapheme-ascii' })), (dict) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(dict)) {
          try {
            headers.set(k, v);
          } catch {
            // a value Headers itself refuses is not one a server can send
          }
        }
        const s = parseRateLimitHeaders(headers);
        const numbers = [
          s.queryCost,
          s.retryAfterMs,
          s.requestsPerMinute?.limit,
          s.requestsPerMinute?.remaining,
          s.tokensPerMinute?.limit,
          s.tokensPerMinute?.remaining,
          s.tokensPerMonth?.limit,
          s.tokensPerMonth?.remaining,
        ].filter((n) => n !== undefined);
        for (const n of numbers) assert.ok(Number.isFinite(n) && n >= 0, `bad number ${n}`);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
