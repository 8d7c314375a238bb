import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, ENV_VARIABLES, loadConfig } from '../../src/config.ts';

const required = { DISCORD_TOKEN: 'token', MISTRAL_API_KEY: 'key' };

describe('config', () => {
  it('GIVEN only the two required variables THEN every default applies', () => {
    const config = loadConfig(required);
    assert.equal(config.databaseUrl, 'sqlite://data/bot.sqlite');
    assert.equal(config.defaultModel, 'mistral-small-latest');
    assert.equal(config.requestsPerSecond, 1);
    assert.equal(config.guildMonthlyTokenBudget, DEFAULTS.guildMonthlyTokenBudget);
    assert.equal(config.mistralServerUrl, 'https://api.mistral.ai');
    assert.equal(config.discordApiUrl, 'https://discord.com/api');
    assert.equal(config.redisUrl, undefined);
    assert.deepEqual(config.botOwnerIds, []);
    assert.ok(Object.isFrozen(config));
  });

  it('GIVEN nothing set THEN both required variables are named, one line each', () => {
    assert.throws(
      () => loadConfig({}),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        error.problems[0] === 'DISCORD_TOKEN is required' &&
        error.problems[1] === 'MISTRAL_API_KEY is required',
    );
  });

  it('GIVEN several malformed variables THEN each is reported once, naming the variable', () => {
    try {
      loadConfig({
        ...required,
        GUILD_MONTHLY_TOKEN_BUDGET: 'lots',
        MISTRAL_REQUESTS_PER_SECOND: '0',
        DATABASE_URL: 'mysql://db',
        BOT_OWNER_IDS: '123',
        LOG_LEVEL: 'loud',
        MISTRAL_SERVER_URL: 'not a url',
        DEV_GUILD_ID: 'abc',
      });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const named = error.problems.map((p) => p.split(' ')[0]);
      assert.deepEqual(named.sort(), [
        'BOT_OWNER_IDS',
        'DATABASE_URL',
        'DEV_GUILD_ID',
        'GUILD_MONTHLY_TOKEN_BUDGET',
        'LOG_LEVEL',
        'MISTRAL_REQUESTS_PER_SECOND',
        'MISTRAL_SERVER_URL',
      ]);
    }
  });

  it('GIVEN blank optional values THEN they fall back to defaults', () => {
    const config = loadConfig({
      ...required,
      DATABASE_URL: '',
      LOG_LEVEL: '  ',
      GUILD_MONTHLY_TOKEN_BUDGET: '',
    });
    assert.equal(config.databaseUrl, DEFAULTS.databaseUrl);
    assert.equal(config.logLevel, 'info');
  });

  it('GIVEN numbers with separators and lists with spaces THEN they are parsed', () => {
    const config = loadConfig({
      ...required,
      GUILD_MONTHLY_TOKEN_BUDGET: '1_000_000',
      BOT_OWNER_IDS: '123456789012345678, 223456789012345678',
      MISTRAL_REQUESTS_PER_SECOND: '0.5',
      MISTRAL_SERVER_URL: 'http://127.0.0.1:9999/',
      DATABASE_URL: 'redis://127.0.0.1:6379',
    });
    assert.equal(config.guildMonthlyTokenBudget, 1_000_000);
    assert.deepEqual(config.botOwnerIds, ['123456789012345678', '223456789012345678']);
    assert.equal(config.requestsPerSecond, 0.5);
    assert.equal(config.mistralServerUrl, 'http://127.0.0.1:9999');
    assert.equal(config.databaseUrl, 'redis://127.0.0.1:6379');
  });

  it('GIVEN the conversation variables THEN they default to a 4,000-token window and 72 idle hours, and bad values are named', () => {
    const defaults = loadConfig(required);
    assert.equal(defaults.conversationMaxTokens, 4_000);
    assert.equal(defaults.conversationIdleMs, 72 * 3_600_000);
    const set = loadConfig({ ...required, CONVERSATION_MAX_TOKENS: '0', CONVERSATION_IDLE_HOURS: '0.5' });
    assert.equal(set.conversationMaxTokens, 0);
    assert.equal(set.conversationIdleMs, 1_800_000);
    assert.throws(
      () => loadConfig({ ...required, CONVERSATION_MAX_TOKENS: '-1', CONVERSATION_IDLE_HOURS: '9000' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        error.problems.some((p) => p.startsWith('CONVERSATION_MAX_TOKENS ')) &&
        error.problems.some((p) => p.startsWith('CONVERSATION_IDLE_HOURS ')),
    );
  });

  it('GIVEN .env.example THEN it documents exactly the variables the bot reads, in order, each with a comment', () => {
    const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
    const keys: string[] = [];
    lines.forEach((line, i) => {
      const match = /^([A-Z_]+)=/.exec(line);
      if (!match) return;
      keys.push(match[1] as string);
      assert.match(lines[i - 1] ?? '', /^# \S/, `${match[1]} needs a one-line comment above it`);
    });
    assert.deepEqual(keys, [...ENV_VARIABLES]);
  });

  it('GIVEN README.md THEN it documents every variable the bot reads', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = ENV_VARIABLES.filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });

  // The contract lives beside the checkout in the workplace, not in the repository.
  const contract = new URL('../../../shared/contract.md', import.meta.url);
  it(
    'GIVEN the contract table THEN every variable it names is read by the bot',
    {
      skip: existsSync(contract) ? false : 'shared/contract.md is not beside this checkout',
    },
    () => {
      const text = readFileSync(contract, 'utf8');
      const named = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
      for (const name of named) assert.ok(ENV_VARIABLES.includes(name as string), `${name} is not read`);
    },
  );
});
