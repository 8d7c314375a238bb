import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl, urlPassword } from '../../src/redact.ts';

describe('redactUrl', () => {
  it('GIVEN URLs with a password in their userinfo THEN only the password becomes ***', () => {
    assert.equal(redactUrl('redis://:secret@host:6379'), 'redis://:***@host:6379');
    assert.equal(redactUrl('redis://user:secret@host:6379/2'), 'redis://user:***@host:6379/2');
    assert.equal(
      redactUrl('rediss://default:s3cr3t@cache.example:6380'),
      'rediss://default:***@cache.example:6380',
    );
    assert.equal(redactUrl('https://bot:pw@proxy.local/api?x=1'), 'https://bot:***@proxy.local/api?x=1');
    assert.equal(redactUrl('sqlite://me:pw@/var/lib/bot.sqlite'), 'sqlite://me:***@/var/lib/bot.sqlite');
  });

  it('GIVEN a password holding an unencoded @ or / THEN none of it is left', () => {
    assert.equal(redactUrl('redis://:p@ss/w#rd@host:6379'), 'redis://:***@host:6379');
  });

  it('GIVEN text around URLs, several URLs, or a JSON line THEN each password goes and the rest stays', () => {
    assert.equal(
      redactUrl('Cannot reach Redis at redis://:abc@10.0.0.1:6379 (REDIS_URL): refused; also http://u:v@x'),
      'Cannot reach Redis at redis://:***@10.0.0.1:6379 (REDIS_URL): refused; also http://u:***@x',
    );
    assert.equal(
      redactUrl('{"msg":"redis://:pa\\"ss@h:1","url":"redis://h:1","mail":"a@b"}'),
      '{"msg":"redis://:***@h:1","url":"redis://h:1","mail":"a@b"}',
    );
  });

  it('GIVEN URLs without a password and text that is not a URL THEN they are unchanged', () => {
    for (const text of [
      'redis://127.0.0.1:6379',
      'sqlite:///var/lib/bot/bot.sqlite',
      'sqlite://data/bot.sqlite',
      'https://token@host/path',
      'not a url at all: user:pass@host',
      '',
    ]) {
      assert.equal(redactUrl(text), text);
    }
  });
});

describe('urlPassword', () => {
  it('GIVEN a URL with a password THEN it is returned decoded; otherwise undefined', () => {
    assert.equal(urlPassword('redis://:p%40ss-word@h:6379'), 'p@ss-word');
    assert.equal(urlPassword('rediss://user:secret@h'), 'secret');
    assert.equal(urlPassword('redis://h:6379'), undefined);
    assert.equal(urlPassword('sqlite://data/bot.sqlite'), undefined);
    assert.equal(urlPassword('not a url'), undefined);
    assert.equal(urlPassword(undefined), undefined);
  });
});
