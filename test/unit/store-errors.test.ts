import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { connectRedis } from '../../src/store/redis-connection.ts';
import { freePort } from '../support/process.ts';

const password = 'pa55-w0rd-in-the-url';

/** Asserts a start-up failure names `variable` and the server, and holds the password nowhere. */
function assertRedacted(error: unknown, variable: string, shownUrl: RegExp): true {
  assert.ok(error instanceof Error);
  assert.match(error.message, new RegExp(`^Cannot reach Redis at ${shownUrl.source} \\(${variable}\\): `));
  const everything = [error.message, error.stack ?? '', String(error)].join('\n');
  assert.ok(!everything.includes(password), everything);
  return true;
}

describe('start-up failures with a password in the URL', () => {
  it('GIVEN REDIS_URL with a password and nothing listening THEN connectRedis rejects naming REDIS_URL and the host, without the password', async () => {
    const port = await freePort();
    await assert.rejects(connectRedis(`redis://:${password}@127.0.0.1:${port}`, 'REDIS_URL'), (e: unknown) =>
      assertRedacted(e, 'REDIS_URL', new RegExp(`redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`)),
    );
  });

  it('GIVEN DATABASE_URL with a user and password and nothing listening THEN openStore rejects naming DATABASE_URL, without the password', async () => {
    const port = await freePort();
    await assert.rejects(openStore(`rediss://bot:${password}@127.0.0.1:${port}/0`), (e: unknown) =>
      assertRedacted(e, 'DATABASE_URL', new RegExp(`rediss://bot:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0`)),
    );
    await assert.rejects(openStore(`redis://:${password}@127.0.0.1:${port}`), (e: unknown) =>
      assertRedacted(e, 'DATABASE_URL', new RegExp(`redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`)),
    );
  });
});
