import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, secretScrubber } from '../../src/log.ts';

const token = 'MTAxNTk3.Gx1abc.d3f4ult-t0ken-for-tests_0123456789';
const key = 'sk-mistral-key-0123456789abcdef';

/** A logger writing into an array of lines. */
function capture(level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger(level, { secrets: [token, key], destination: sink }), lines };
}

describe('the process logger', () => {
  it('GIVEN secrets anywhere in a log call (message, nested error, Authorization header, URL) THEN no line holds them', () => {
    const { log, lines } = capture('debug');
    const http = Object.assign(new Error(`request to https://x/?key=${key} failed`), {
      headers: { authorization: `Bearer ${key}` },
      request: { headers: { Authorization: `Bot ${token}` } },
      cause: new Error(`token ${token} refused`),
    });
    log.error({ err: http }, 'upstream failed');
    log.info({ config: { discordToken: token, mistralApiKey: key } }, 'config');
    log.warn({ cause: new Error(`nested ${key}`) }, `literal ${token}`);
    log.debug({ deep: { deeper: { list: [token, { key }] } } }, 'deep');
    assert.equal(lines.length, 4);
    for (const line of lines) {
      assert.ok(!line.includes(token) && !line.includes(key), line);
    }
    assert.match(lines[0] ?? '', /\[redacted\]/);
    assert.match(lines[2] ?? '', /"cause":\{"type":"Error","message":"nested \[redacted\]"/);
  });

  it('GIVEN credentials nobody listed as secrets, in fields named like one at any depth THEN their values are censored and the rest stays', () => {
    const { log, lines } = capture('debug');
    const interactionToken = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTA6c2VjcmV0';
    log.warn(
      {
        interaction: { id: '123', token: interactionToken },
        request: { headers: { Authorization: 'Basic dXNlcjpwYXNz', accept: 'application/json' } },
        deep: { deeper: { apiKey: 'another-unlisted-key', note: 'say "token":"x" in text' } },
        token: 'top-level-token-value',
      },
      'upstream failed',
    );
    assert.equal(lines.length, 1);
    const line = lines[0] ?? '';
    for (const value of [interactionToken, 'dXNlcjpwYXNz', 'another-unlisted-key', 'top-level-token-value'])
      assert.ok(!line.includes(value), `${value} leaked: ${line}`);
    const parsed = JSON.parse(line) as {
      interaction: { id: string; token: string };
      request: { headers: { Authorization: string; accept: string } };
      deep: { deeper: { apiKey: string; note: string } };
      token: string;
    };
    assert.equal(parsed.interaction.token, '[redacted]');
    assert.equal(parsed.interaction.id, '123');
    assert.equal(parsed.request.headers.Authorization, '[redacted]');
    assert.equal(parsed.request.headers.accept, 'application/json');
    assert.equal(parsed.deep.deeper.apiKey, '[redacted]');
    assert.equal(parsed.deep.deeper.note, 'say "token":"x" in text');
    assert.equal(parsed.token, '[redacted]');
  });

  it('GIVEN a Redis URL with a password in a nested error, a cause and a field THEN no line holds the password, and host and port stay', () => {
    const { log, lines } = capture('debug');
    const password = 'hunter2-redis-pass';
    const error = Object.assign(
      new Error(`Cannot reach Redis at redis://:${password}@10.0.0.7:6379 (REDIS_URL): refused`, {
        cause: new Error(`connect to redis://:${password}@10.0.0.7:6379 refused`),
      }),
      { options: { url: `rediss://bot:${password}@cache.internal:6380/0` } },
    );
    log.error({ err: error, store: { url: `redis://default:${password}@10.0.0.8:6379` } }, 'start-up failed');
    log.warn({ cause: { deeper: [`http://proxy:${password}@proxy.local:3128`] } }, 'proxy');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(!line.includes(password), line);
    assert.match(lines[0] ?? '', /redis:\/\/:\*\*\*@10\.0\.0\.7:6379/);
    assert.match(lines[0] ?? '', /rediss:\/\/bot:\*\*\*@cache\.internal:6380\/0/);
    assert.match(lines[0] ?? '', /redis:\/\/default:\*\*\*@10\.0\.0\.8:6379/);
    assert.match(lines[1] ?? '', /http:\/\/proxy:\*\*\*@proxy\.local:3128/);
  });

  it('GIVEN a short value as a secret THEN it is not scrubbed (it would mangle ordinary text)', () => {
    assert.equal(secretScrubber(['k'])('keep kinks'), 'keep kinks');
    assert.equal(secretScrubber(['longsecret'])('a longsecret b longsecret'), 'a [redacted] b [redacted]');
  });

  it('GIVEN the info level THEN debug lines (where prompts go) are not written', () => {
    const { log, lines } = capture('info');
    log.debug({ options: [{ prompt: 'private question' }] }, 'command');
    log.info('visible');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
      ['visible'],
    );
  });
});
