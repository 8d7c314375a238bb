import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ApplicationCommandOptionType, DiscordAPIError, Routes } from 'discord.js';
import type { Client } from 'discord.js';
import { contentVisible, maxInWindow, schemaIssues, snowflake, startDiscordStandIn } from './discord.ts';
import type { DiscordStandIn } from './discord.ts';
import { loginClient, nextInteraction } from '../support/discord-client.ts';

async function refusal(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DiscordAPIError, `expected a DiscordAPIError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected Discord to refuse');
}

describe('Discord stand-in rules as pure functions', () => {
  it('GIVEN who wrote a message and what it pings THEN content reaches the app only for its own, DMs, mentions or with the intent', () => {
    const cases = [
      [{ byBot: false, mentionsBot: false, isDm: false }, false, false],
      [{ byBot: true, mentionsBot: false, isDm: false }, false, true],
      [{ byBot: false, mentionsBot: true, isDm: false }, false, true],
      [{ byBot: false, mentionsBot: false, isDm: true }, false, true],
      [{ byBot: false, mentionsBot: false, isDm: false }, true, true],
    ] as const;
    for (const [message, intent, expected] of cases)
      assert.equal(contentVisible(message, intent), expected, JSON.stringify(message));
  });

  it('GIVEN request times THEN maxInWindow counts the busiest sliding second', () => {
    assert.equal(maxInWindow([], 1_000), 0);
    assert.equal(maxInWindow([0, 999, 1_000, 1_500, 1_998], 1_000), 4);
    assert.equal(maxInWindow([0, 100, 200, 1_200], 1_000), 3);
  });

  it('GIVEN bodies for routes THEN the published schemas accept valid ones, name the field of invalid ones, and take permission strings and code-point lengths as Discord does', () => {
    assert.deepEqual(
      schemaIssues('POST /channels/:channel/messages', { content: 'hi', allowed_mentions: { parse: [] } })
        ?.issues,
      [],
    );
    const bad = schemaIssues('POST /channels/:channel/messages', { content: 42 });
    assert.equal(bad?.schema, 'MessageCreateRequest');
    assert.deepEqual(
      bad?.issues.map((i) => [i.path.join('.'), i.code]),
      [['content', 'invalid_type']],
    );
    const commands = (perm: unknown) =>
      schemaIssues('PUT /applications/:app/commands', [
        { name: 'usage', description: 'Usage', default_member_permissions: perm },
      ])?.issues;
    assert.deepEqual(commands('32'), []);
    assert.deepEqual(commands(32), []);
    assert.deepEqual(
      commands('admins')?.map((i) => i.path.join('.')),
      ['0.default_member_permissions'],
    );
    assert.deepEqual(
      schemaIssues('PATCH /webhooks/:app/:token/messages/:message', { content: '😀'.repeat(2_000) })?.issues,
      [],
    );
    assert.equal(
      schemaIssues('PATCH /webhooks/:app/:token/messages/:message', { content: 'x'.repeat(2_001) })?.issues[0]
        ?.code,
      'too_big',
    );
    assert.deepEqual(
      schemaIssues('POST /interactions/:id/:token/callback', { type: 42 })?.issues.map((i) => i.message),
      ['Unknown interaction callback type 42'],
    );
    assert.equal(schemaIssues('GET /channels/:channel', undefined), undefined);
  });
});

describe('Discord stand-in global rate limit and schema checks with the real discord.js client', () => {
  const guildId = snowflake();
  const textId = snowflake();
  let standIn: DiscordStandIn;
  let client: Client;

  before(async () => {
    standIn = await startDiscordStandIn({
      guilds: [{ id: guildId, channels: [{ id: textId, name: 'general' }] }],
    });
    client = await loginClient(standIn);
    assert.ok(client.application);
    await client.application.commands.set(
      [
        {
          name: 'ask',
          description: 'Ask',
          options: [{ name: 'prompt', description: 'p', type: ApplicationCommandOptionType.String }],
        },
        { name: 'usage', description: 'Usage', default_member_permissions: '32' },
      ],
      guildId,
    );
  });

  after(async () => {
    await client?.destroy();
    await standIn?.close();
  });

  it('GIVEN bodies that break Discord’s published schema THEN 400 50035 naming the field and a violation naming the route and schema', async () => {
    const before = standIn.violations.length;
    const content = await refusal(
      client.rest.post(Routes.channelMessages(textId), { body: { content: 42 } }),
    );
    assert.equal(content.code, 50_035);
    assert.match(content.message, /content/);
    const thread = await refusal(client.rest.post(Routes.threads(textId), { body: { name: '', type: 11 } }));
    assert.equal(thread.status, 400);
    const perms = await refusal(
      client.rest.put(Routes.applicationGuildCommands(standIn.applicationId, guildId), {
        body: [{ name: 'usage', description: 'Usage', default_member_permissions: 'admins' }],
      }),
    );
    assert.equal(perms.code, 50_035);
    const found = standIn.violations.slice(before);
    assert.equal(found.length, 3);
    assert.match(
      found[0] ?? '',
      /POST \/channels\/\d+\/messages: body does not match Discord's MessageCreateRequest schema \(route POST \/channels\/:channel\/messages\): content: invalid_type/,
    );
    assert.match(found[1] ?? '', /CreateTextThreadWithoutMessageRequest.*name: too_small/);
    assert.match(found[2] ?? '', /ApplicationCommandUpdateRequest\[\].*0\.default_member_permissions/);
    assert.equal(standIn.commands(guildId).find((c) => c.name === 'usage')?.default_member_permissions, '32');
  });

  it('GIVEN more than 50 requests in a second THEN the excess gets a global 429 with its headers, interaction callbacks still pass, and a webhook edit in that second is limited too', async () => {
    await sleep(1_100);
    const before = {
      rejected: standIn.rejected429,
      invalid: standIn.invalidRequests,
      times: standIn.requestTimes().length,
    };
    const responses = await Promise.all(
      Array.from({ length: 60 }, () =>
        fetch(`${standIn.apiUrl}/v10/channels/${textId}`, {
          headers: { authorization: `Bot ${standIn.token}` },
        }),
      ),
    );
    const limited = responses.filter((r) => r.status === 429);
    assert.equal(limited.length, 10);
    const first = limited[0];
    assert.ok(first);
    assert.equal(first.headers.get('x-ratelimit-global'), 'true');
    assert.ok(Number(first.headers.get('retry-after')) > 0);
    const body = (await first.json()) as { message: string; retry_after: number; global: boolean };
    assert.equal(body.message, 'You are being rate limited.');
    assert.equal(body.global, true);
    assert.ok(body.retry_after > 0 && body.retry_after <= 1);

    const answered = nextInteraction(client, async (i) => {
      assert.ok(i.isChatInputCommand());
      await i.reply('first');
      await i.editReply('second');
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask' });
    await answered;
    assert.equal(handle.original(), 'second', 'discord.js waited out the global limit and retried');
    const callback = standIn.calls.find((c) => c.path.startsWith(`/interactions/${handle.id}/`));
    assert.equal(callback?.status, 204, 'callbacks are exempt');
    const edits = standIn.calls.filter((c) => c.method === 'PATCH' && c.path.includes(handle.token));
    assert.deepEqual(
      edits.map((c) => c.status),
      [429, 200],
    );
    assert.ok(
      standIn.violations.some((v) => v.includes(handle.id) && v.includes('global limit of 50 requests/s')),
    );
    assert.equal(standIn.rejected429 - before.rejected, 11);
    assert.equal(standIn.invalidRequests - before.invalid, 11);
    assert.equal(standIn.maxRequestsPerSecond(), 50);
    assert.equal(
      standIn.requestTimes().length - before.times,
      51,
      '50 GETs and the retried edit; no callback',
    );
  });
});
