import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApplicationCommandType,
  ChannelType,
  DiscordAPIError,
  GatewayIntentBits,
  RESTJSONErrorCodes,
} from 'discord.js';
import type { ApplicationCommandDataResolvable, Client, Message } from 'discord.js';
import { snowflake, startDiscordStandIn } from './discord.ts';
import type { DiscordStandIn } from './discord.ts';
import { makePng } from './images.ts';
import { loginClient, nextInteraction, nextMessage } from '../support/discord-client.ts';

const GUILDS_AND_MESSAGES = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];

async function refusal(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DiscordAPIError, `expected a DiscordAPIError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected Discord to refuse');
}

describe('Discord stand-in: context menus, members’ messages and the message content rule', () => {
  const guildId = snowflake();
  const textId = snowflake();
  const threadId = snowflake();
  const hiddenId = snowflake();
  let standIn: DiscordStandIn;
  let client: Client;

  before(async () => {
    standIn = await startDiscordStandIn({
      channelMessageRateLimit: { count: 3, windowMs: 600 },
      channelEditRateLimit: { count: 3, windowMs: 600 },
      guilds: [
        {
          id: guildId,
          preferredLocale: 'fr',
          channels: [
            { id: textId, name: 'general' },
            { id: threadId, name: 'chat', type: 11, parentId: textId },
            { id: hiddenId, name: 'secret', type: 12, parentId: textId, uncached: true },
          ],
        },
      ],
    });
    client = await loginClient(standIn, { intents: GUILDS_AND_MESSAGES });
  });

  after(async () => {
    await client?.destroy();
    await standIn?.close();
  });

  it('GIVEN message and user commands with spaces, capitals and no description THEN they are stored; a description, an option or a 16th message command is refused with 400 50035', async () => {
    assert.ok(client.application);
    const menus = [
      { name: 'Ask Mistral', type: ApplicationCommandType.Message },
      { name: 'Translate to my language', type: ApplicationCommandType.Message },
      { name: 'Profile', type: ApplicationCommandType.User },
      { name: 'ask', description: 'Ask the model' },
    ] satisfies ApplicationCommandDataResolvable[];
    await client.application.commands.set(menus, guildId);
    assert.deepEqual(
      standIn.commands(guildId).map((c) => [c.name, c.type, c.description]),
      [
        ['Ask Mistral', 3, ''],
        ['Translate to my language', 3, ''],
        ['Profile', 2, ''],
        ['ask', 1, 'Ask the model'],
      ],
    );
    const before = standIn.violations.length;
    const described = await refusal(
      client.rest.put(`/applications/${standIn.applicationId}/guilds/${guildId}/commands`, {
        body: [{ name: 'Summarize', type: 3, description: 'Summarize it' }],
      }),
    );
    assert.equal(described.code, RESTJSONErrorCodes.InvalidFormBodyOrContentType);
    const withOption = await refusal(
      client.rest.post(`/applications/${standIn.applicationId}/guilds/${guildId}/commands`, {
        body: { name: 'Explain', type: 3, options: [{ name: 'x', description: 'x', type: 3 }] },
      }),
    );
    assert.equal(withOption.status, 400);
    const sixteen = Array.from({ length: 16 }, (_, i) => ({
      name: `Menu ${i}`,
      type: ApplicationCommandType.Message as const,
    }));
    const tooMany = await refusal(client.application.commands.set(sixteen, guildId));
    assert.match(tooMany.message, /message commands/);
    assert.equal(standIn.violations.length - before, 3);
    assert.equal(standIn.commands(guildId).length, 4, 'the refused writes changed nothing');
  });

  it('GIVEN a member’s message with text, an image and an embed WHEN a message command runs on it THEN the bot sees content, image size and author without the Message Content intent', async () => {
    const posted = standIn.postMessage({
      guildId,
      channelId: textId,
      authorId: '300000000000000001',
      content: 'Please summarise this chart',
      attachments: [{ filename: 'chart.png', bytes: makePng(640, 480) }],
      embeds: [{ title: 'Quarterly numbers', description: 'Up and to the right' }],
    });
    assert.deepEqual(
      posted.deliveries.map((d) => d.contentVisible),
      [false],
      'the gateway copy was blank: no mention, no intent',
    );
    const seen = nextInteraction(client, async (interaction) => {
      assert.ok(interaction.isMessageContextMenuCommand());
      const target = interaction.targetMessage;
      const image = target.attachments.first();
      assert.ok(image);
      const bytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      await interaction.reply({ content: 'On it.', flags: 64 });
      return {
        name: interaction.commandName,
        content: target.content,
        author: target.author.id,
        embed: target.embeds[0]?.title,
        image: {
          name: image.name,
          width: image.width,
          height: image.height,
          type: image.contentType,
          size: image.size,
        },
        downloaded: bytes.length,
        locale: interaction.locale,
        guildLocale: interaction.guildLocale,
      };
    });
    const handle = standIn.messageCommand({
      guildId,
      channelId: textId,
      command: 'Ask Mistral',
      messageId: posted.id,
      locale: 'de',
    });
    const result = await seen;
    assert.deepEqual(result, {
      name: 'Ask Mistral',
      content: 'Please summarise this chart',
      author: '300000000000000001',
      embed: 'Quarterly numbers',
      image: {
        name: 'chart.png',
        width: 640,
        height: 480,
        type: 'image/png',
        size: posted.attachments[0]?.bytes.length,
      },
      downloaded: posted.attachments[0]?.bytes.length,
      locale: 'de',
      guildLocale: 'fr',
    });
    assert.equal(handle.kind, 'message-command');
    assert.equal(handle.ephemeral, true);
    assert.throws(
      () =>
        standIn.messageCommand({
          guildId,
          channelId: textId,
          command: 'Not Registered',
          messageId: posted.id,
        }),
      /no message command named "Not Registered"/,
    );
    assert.equal(
      client.guilds.cache.get(guildId)?.preferredLocale,
      'fr',
      'GUILD_CREATE carried preferred_locale',
    );
  });

  it('GIVEN a registered user command WHEN a member runs it on another member THEN the target user and member are resolved', async () => {
    const seen = nextInteraction(client, async (interaction) => {
      assert.ok(interaction.isUserContextMenuCommand());
      await interaction.reply({ content: 'Profile sent.', flags: 64 });
      return {
        name: interaction.commandName,
        target: interaction.targetUser.id,
        member: interaction.targetMember !== null,
      };
    });
    const handle = standIn.userCommand({
      guildId,
      channelId: textId,
      command: 'Profile',
      targetUserId: '300000000000000009',
    });
    assert.deepEqual(await seen, { name: 'Profile', target: '300000000000000009', member: true });
    assert.equal(handle.kind, 'user-command');
    assert.throws(
      () =>
        standIn.userCommand({
          guildId,
          channelId: textId,
          command: 'Ask Mistral',
          targetUserId: '300000000000000009',
        }),
      /no user command named "Ask Mistral"/,
    );
  });

  it('GIVEN GuildMessages without MessageContent THEN a plain message arrives blank, a mention or a pinging reply to the bot with content, a reply without the ping blank', async () => {
    const plain = nextMessage(client);
    standIn.postMessage({ guildId, channelId: threadId, content: 'just chatting' });
    assert.equal((await plain).content, '');

    const mention = nextMessage(client);
    standIn.postMessage({ guildId, channelId: threadId, content: 'what is 2+2?', mentionsBot: true });
    const mentioned = await mention;
    assert.equal(mentioned.content, `<@${standIn.botUserId}> what is 2+2?`);
    assert.ok(mentioned.mentions.users.has(standIn.botUserId));

    const botPost = nextMessage(client);
    const channel = client.channels.cache.get(threadId);
    assert.ok(channel?.isSendable());
    await channel.send('I am the bot.');
    const own = await botPost;
    assert.equal(own.content, 'I am the bot.', 'the bot’s own messages always show');

    const reply = nextMessage(client);
    standIn.postMessage({ guildId, channelId: threadId, content: 'tell me more', replyTo: own.id });
    const pinged = await reply;
    assert.equal(pinged.content, 'tell me more');
    assert.equal(pinged.reference?.messageId, own.id);

    const quiet = nextMessage(client);
    standIn.postMessage({
      guildId,
      channelId: threadId,
      content: 'no ping please',
      replyTo: own.id,
      replyPing: false,
    });
    assert.equal((await quiet).content, '');

    const guildsOnly = await loginClient(standIn);
    try {
      const delivered = standIn.postMessage({
        guildId,
        channelId: threadId,
        content: 'anyone?',
        mentionsBot: true,
      });
      assert.equal(delivered.deliveries.length, 1, 'only the session with GuildMessages got it');
      const intents = standIn
        .sessions()
        .map((s) => s.intents)
        .sort((a, b) => a - b);
      assert.deepEqual(intents, [1, 1 | (1 << 9)]);
    } finally {
      await guildsOnly.destroy();
    }
    assert.deepEqual(
      standIn.violations.filter((v) => !v.includes('commands')),
      [],
    );
  });

  it('GIVEN the MessageContent intent THEN IDENTIFY is closed 4014 unless the app has it switched on, and then every message shows', async () => {
    await assert.rejects(
      loginClient(standIn, { intents: [...GUILDS_AND_MESSAGES, GatewayIntentBits.MessageContent] }),
      (error: Error) =>
        /disallowed intents/i.test(error.message) || /4014/.test(String((error as { code?: unknown }).code)),
    );
    const open = await startDiscordStandIn({ messageContentIntent: true });
    const privileged = await loginClient(open, {
      intents: [...GUILDS_AND_MESSAGES, GatewayIntentBits.MessageContent],
    });
    try {
      const [guild] = privileged.guilds.cache.values();
      const text = guild?.channels.cache.find((c) => c.type === ChannelType.GuildText);
      assert.ok(guild && text);
      const got = nextMessage(privileged);
      open.postMessage({ guildId: guild.id, channelId: text.id, content: 'visible to all' });
      assert.equal((await got).content, 'visible to all');
    } finally {
      await privileged.destroy();
      await open.close();
    }
  });

  it('GIVEN the bot replies, types, edits and reads over REST THEN the reply has message_reference, typing is recorded, and reads of others’ messages are blank unless they mention the bot', async () => {
    const asked = nextMessage(client);
    const question = standIn.postMessage({
      guildId,
      channelId: textId,
      content: 'hello bot',
      mentionsBot: true,
    });
    const message: Message = await asked;
    const channel = message.channel;
    assert.ok(channel.isSendable());
    await channel.sendTyping();
    const answer = await message.reply({
      content: 'Hello!',
      allowedMentions: { parse: [], repliedUser: false },
    });
    const stored = standIn.message(answer.id);
    assert.equal(stored?.replyTo, question.id);
    assert.deepEqual(stored?.allowedMentions, { parse: [], replied_user: false });
    const post = standIn.calls
      .filter((c) => c.method === 'POST' && c.path === `/channels/${textId}/messages`)
      .at(-1);
    assert.deepEqual(
      (post?.body as { message_reference?: { message_id?: string } }).message_reference?.message_id,
      question.id,
    );
    assert.deepEqual(
      standIn.typing(textId).map((t) => t.channelId),
      [textId],
    );
    await answer.edit('Hello again!');
    assert.equal(standIn.message(answer.id)?.content, 'Hello again!');

    const other = standIn.postMessage({ guildId, channelId: textId, content: 'not for the bot' });
    const fetchedOther = await message.channel.messages.fetch({ message: other.id, force: true });
    assert.equal(fetchedOther.content, '', 'no mention, no intent: blank over REST too');
    const fetchedQuestion = await message.channel.messages.fetch({ message: question.id, force: true });
    assert.equal(fetchedQuestion.content, `<@${standIn.botUserId}> hello bot`);
    const fetchedOwn = await message.channel.messages.fetch({ message: answer.id, force: true });
    assert.equal(fetchedOwn.content, 'Hello again!');
    const missing = await refusal(message.channel.messages.fetch({ message: snowflake(), force: true }));
    assert.equal(missing.code, RESTJSONErrorCodes.UnknownMessage);
    const notOurs = await refusal(
      client.rest.patch(`/channels/${textId}/messages/${other.id}`, { body: { content: 'x' } }),
    );
    assert.equal(notOurs.code, 50_005);
  });

  it('GIVEN more channel messages or channel edits than the per-channel bucket allows THEN 429s and violations, and discord.js retries after the wait', async () => {
    const channel = client.channels.cache.get(threadId);
    assert.ok(channel?.isSendable());
    await new Promise((resolve) => setTimeout(resolve, 650));
    const before = { violations: standIn.violations.length, rejected: standIn.rejected429 };
    const sent: Message[] = [];
    for (let i = 0; i < 4; i += 1) sent.push(await channel.send(`burst ${i}`));
    assert.equal(standIn.rejected429 - before.rejected, 1);
    const last = sent.at(-1);
    assert.ok(last);
    for (let i = 0; i < 4; i += 1) await last.edit(`edit ${i}`);
    assert.equal(standIn.rejected429 - before.rejected, 2);
    const found = standIn.violations.slice(before.violations);
    assert.equal(found.length, 2);
    assert.match(
      found[0] ?? '',
      /POST \/channels\/\d+\/messages: more than 3 in 600 ms in this channel → 429/,
    );
    assert.match(
      found[1] ?? '',
      /PATCH \/channels\/\d+\/messages\/\d+: more than 3 in 600 ms in this channel → 429/,
    );
    assert.equal(standIn.message(last.id)?.content, 'edit 3');
    assert.ok(standIn.invalidRequests >= 2);
  });

  it('GIVEN the bot opens threads with and without a starter message THEN both exist, are announced with THREAD_CREATE and take posts', async () => {
    const channel = client.channels.cache.get(textId);
    assert.ok(channel?.type === ChannelType.GuildText);
    const privateThread = await channel.threads.create({
      name: 'Private talk',
      type: ChannelType.PrivateThread,
    });
    assert.equal(privateThread.type, ChannelType.PrivateThread);
    const starter = await channel.send('Start here');
    const fromMessage = await starter.startThread({ name: 'From a message' });
    assert.equal(fromMessage.id, starter.id);
    await new Promise((resolve) => setTimeout(resolve, 650));
    for (const thread of [privateThread, fromMessage]) {
      assert.ok(client.channels.cache.get(thread.id)?.isThread());
      await thread.send(`hello in ${thread.name}`);
      assert.deepEqual(
        standIn.channelMessages(thread.id).map((m) => m.content),
        [`hello in ${thread.name}`],
      );
    }
  });

  it('GIVEN a private thread the client never cached WHEN a member uses a command there THEN the interaction carries the full channel object', async () => {
    const silent = standIn.addThread({ guildId, parentId: textId, type: 12, name: 'made-later' });
    assert.equal(client.channels.cache.get(hiddenId), undefined, 'uncached: left out of GUILD_CREATE');
    assert.equal(client.channels.cache.get(silent), undefined, 'added silently: no THREAD_CREATE');
    for (const id of [hiddenId, silent]) {
      const seen = nextInteraction(client, async (interaction) => {
        assert.ok(interaction.isChatInputCommand());
        await interaction.reply({ content: 'here', flags: 64 });
        return interaction.channelId;
      });
      const handle = standIn.interact({ guildId, channelId: id, command: 'ask' });
      assert.equal(await seen, id);
      const channel = handle.payload.channel as {
        id: string;
        type: number;
        parent_id: string;
        guild_id: string;
        name: string;
      };
      assert.deepEqual(
        [channel.id, channel.type, channel.parent_id, channel.guild_id, typeof channel.name],
        [id, 12, textId, guildId, 'string'],
      );
      assert.equal(handle.payload.guild_locale, 'fr');
      assert.equal(handle.payload.locale, 'en-US');
    }
  });
});
