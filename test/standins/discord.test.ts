import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  ApplicationCommandOptionType,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  Routes,
} from 'discord.js';
import type {
  ApplicationCommandDataResolvable,
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  Interaction,
} from 'discord.js';
import { snowflake, startDiscordStandIn } from './discord.ts';
import type { DiscordStandIn, InteractionHandle } from './discord.ts';

const COMMANDS = [
  {
    name: 'ask',
    description: 'Ask the model',
    options: [
      {
        name: 'prompt',
        description: 'Your question',
        type: ApplicationCommandOptionType.String,
        required: true,
      },
      { name: 'private', description: 'Only you see it', type: ApplicationCommandOptionType.Boolean },
      { name: 'temperature', description: 'Sampling', type: ApplicationCommandOptionType.Number },
      { name: 'target', description: 'Where to answer', type: ApplicationCommandOptionType.Channel },
    ],
  },
  {
    name: 'model',
    description: 'Channel model settings',
    options: [
      {
        name: 'set',
        description: 'Pick the model',
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'name',
            description: 'Model name',
            type: ApplicationCommandOptionType.String,
            required: true,
            autocomplete: true,
          },
        ],
      },
    ],
  },
] satisfies ApplicationCommandDataResolvable[];

async function expectApiError(
  promise: Promise<unknown>,
  status: number,
  code: number,
): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DiscordAPIError, `expected a DiscordAPIError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected Discord to answer ${status} ${code}`);
}

function violationsOf(standIn: DiscordStandIn, handle: InteractionHandle): string[] {
  return standIn.violations.filter((v) => v.includes(handle.id));
}

describe('Discord stand-in with the real discord.js client', () => {
  const guildId = snowflake();
  const textId = snowflake();
  const threadId = snowflake();
  /** Added to the stand-in's clock to make the bot "late" without sleeping. */
  let skew = 0;
  let standIn: DiscordStandIn;
  let client: Client;

  /** Runs `handler` on the next chat-input interaction the client receives and settles with it. */
  function onNextCommand<T>(handler: (interaction: ChatInputCommandInteraction) => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction: Interaction) => {
        if (!interaction.isChatInputCommand()) {
          reject(new Error(`expected a chat input command, got type ${interaction.type}`));
          return;
        }
        handler(interaction).then(resolve, reject);
      });
    });
  }

  before(async () => {
    standIn = await startDiscordStandIn({
      clock: () => Date.now() + skew,
      editRateLimit: { count: 3, windowMs: 600 },
      guilds: [
        {
          id: guildId,
          name: 'Mistral Lab',
          channels: [
            { id: textId, name: 'general' },
            { id: threadId, name: 'ask-thread', type: 11, parentId: textId },
          ],
        },
      ],
    });
    client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: standIn.apiUrl },
      allowedMentions: { parse: [] },
    });
    const ready = once(client, Events.ClientReady);
    await client.login(standIn.token);
    await ready;
    await standIn.waitForReady(1);
  });

  after(async () => {
    await client?.destroy();
    await standIn?.close();
  });

  it('GIVEN a guild with a channel and a thread WHEN the client logs in THEN it is ready and caches them', () => {
    assert.equal(client.user?.id, standIn.botUserId);
    assert.equal(client.application?.id, standIn.applicationId);
    const guild = client.guilds.cache.get(guildId);
    assert.ok(guild);
    assert.equal(guild.name, 'Mistral Lab');
    assert.equal(guild.available, true);
    assert.equal(guild.members.me?.id, standIn.botUserId);
    assert.equal(guild.channels.cache.get(textId)?.type, ChannelType.GuildText);
    const thread = client.channels.cache.get(threadId);
    assert.ok(thread?.isThread());
    assert.equal(thread.parentId, textId);
    assert.equal(thread.guildId, guildId);
    assert.ok(standIn.calls.some((c) => c.method === 'GET' && c.path === '/gateway/bot'));
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN discord.js bulk-overwrites guild commands THEN the stand-in stores them with stable ids', async () => {
    assert.ok(client.application);
    const putsBefore = standIn.calls.filter((c) => c.method === 'PUT').length;
    const first = await client.application.commands.set(COMMANDS, guildId);
    assert.deepEqual([...first.values()].map((c) => c.name).sort(), ['ask', 'model']);
    const stored = standIn.commands(guildId);
    assert.deepEqual(
      stored.map((c) => c.name),
      ['ask', 'model'],
    );
    assert.ok(stored.every((c) => /^\d{17,19}$/.test(c.id) && c.guild_id === guildId));
    assert.deepEqual(standIn.commands(), [], 'nothing global was registered');

    await client.application.commands.set(COMMANDS, guildId);
    assert.deepEqual(
      standIn.commands(guildId).map((c) => c.id),
      stored.map((c) => c.id),
      'overwriting keeps the ids of same-named commands',
    );
    assert.equal(standIn.calls.filter((c) => c.method === 'PUT').length - putsBefore, 2);
  });

  it('GIVEN an invalid command definition WHEN it is registered THEN Discord-style 400 50035 comes back', async () => {
    assert.ok(client.application);
    const error = await expectApiError(
      client.application.commands.set([{ name: 'Ask Me', description: 'bad name' }], guildId),
      400,
      RESTJSONErrorCodes.InvalidFormBodyOrContentType,
    );
    assert.match(error.message, /name/);
    assert.equal(standIn.commands(guildId).length, 2, 'the failed overwrite changed nothing');
  });

  it('GIVEN a registered command WHEN a member runs it in a thread THEN the interaction carries channel, guild, permissions and typed options', async () => {
    const seen = onNextCommand(async (interaction) => {
      const result = {
        channelId: interaction.channelId,
        guildId: interaction.guildId,
        inThread: interaction.channel?.isThread() ?? false,
        canManage: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
        canSend: interaction.memberPermissions?.has(PermissionFlagsBits.SendMessages) ?? false,
        prompt: interaction.options.getString('prompt', true),
        private: interaction.options.getBoolean('private'),
        temperature: interaction.options.getNumber('temperature'),
        target: interaction.options.getChannel('target')?.id,
        userId: interaction.user.id,
      };
      await interaction.reply({ content: 'noted', flags: MessageFlags.Ephemeral });
      return result;
    });
    const handle = standIn.interact({
      guildId,
      channelId: threadId,
      permissions:
        PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageGuild,
      command: 'ask',
      options: { prompt: 'Why is the sky blue?', private: true, temperature: 0.5, target: textId },
    });
    assert.deepEqual(await seen, {
      channelId: threadId,
      guildId,
      inThread: true,
      canManage: true,
      canSend: true,
      prompt: 'Why is the sky blue?',
      private: true,
      temperature: 0.5,
      target: textId,
      userId: standIn.defaultUserId,
    });
    assert.equal(handle.responseType, 4);
    assert.equal(handle.ephemeral, true);
    assert.equal(handle.deferred, false);
    assert.equal(handle.original(), 'noted');
    assert.ok(handle.ackAt !== undefined && handle.ackAt < 3_000);
    assert.deepEqual(violationsOf(standIn, handle), []);
  });

  it('GIVEN deferReply, editReply and followUp THEN the handle shows the original and the follow-up', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.deferReply();
      await interaction.editReply('First part of the answer.');
      await interaction.followUp('Second part.');
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'long one' },
    });
    await done;
    assert.equal(handle.deferred, true);
    assert.equal(handle.ephemeral, false);
    assert.equal(handle.original(), 'First part of the answer.');
    assert.deepEqual(
      handle.edits().map((e) => e.content),
      ['First part of the answer.'],
    );
    const [followUp] = handle.followUps();
    assert.equal(followUp?.content, 'Second part.');
    assert.deepEqual(followUp?.allowedMentions, { parse: [] });
    assert.deepEqual(
      handle.allMessages().map((m) => m.content),
      ['First part of the answer.', 'Second part.'],
    );
    assert.ok(standIn.calls.some((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original')));
    assert.deepEqual(violationsOf(standIn, handle), []);
  });

  it('GIVEN a follow-up right after an ephemeral defer THEN it fills the loading message, as Discord does', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.followUp('Only message.');
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask', options: { prompt: 'x' } });
    await done;
    await handle.waitFor((h) => h.original() === 'Only message.', 2_000);
    assert.equal(handle.ephemeral, true);
    assert.deepEqual(handle.followUps(), []);
  });

  it('GIVEN a reply more than 3 s after dispatch THEN discord.js gets 10062 Unknown interaction and a violation is recorded', async () => {
    const done = onNextCommand(async (interaction) => {
      skew += 3_001;
      try {
        return await expectApiError(
          interaction.reply('too late'),
          404,
          RESTJSONErrorCodes.UnknownInteraction,
        );
      } finally {
        skew -= 3_001;
      }
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'slow' },
    });
    const error = await done;
    assert.match(error.message, /Unknown interaction/);
    assert.equal(handle.ackAt, undefined);
    assert.equal(handle.original(), undefined);
    assert.ok(violationsOf(standIn, handle).some((v) => v.includes('10062') && v.includes('after dispatch')));
  });

  it('GIVEN an interaction already answered WHEN a second callback is posted THEN 400 40060 and a violation', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.reply('first');
      await expectApiError(
        client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: 4, data: { content: 'second', allowed_mentions: { parse: [] } } },
          auth: false,
        }),
        400,
        RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
      );
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'twice' },
    });
    await done;
    assert.equal(handle.original(), 'first');
    assert.ok(violationsOf(standIn, handle).some((v) => v.includes('40060')));
  });

  it('GIVEN content over 2000 characters or an oversized embed THEN 400 50035 and violations, and nothing is shown', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.deferReply();
      const tooLong = await expectApiError(
        interaction.editReply('x'.repeat(2_001)),
        400,
        RESTJSONErrorCodes.InvalidFormBodyOrContentType,
      );
      assert.match(tooLong.message, /content/);
      await expectApiError(
        interaction.editReply({ embeds: [{ description: 'z'.repeat(4_097) }] }),
        400,
        RESTJSONErrorCodes.InvalidFormBodyOrContentType,
      );
      // 2000 emoji are 4000 UTF-16 units but 2000 code points, which is what Discord counts.
      await interaction.editReply('😀'.repeat(2_000));
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'essay' },
    });
    await done;
    assert.equal(handle.original(), '😀'.repeat(2_000));
    const found = violationsOf(standIn, handle);
    assert.ok(found.some((v) => v.includes('content') && v.includes('50035')));
    assert.ok(found.some((v) => v.includes('embeds.0.description')));

    const channel = client.channels.cache.get(textId);
    assert.ok(channel?.isSendable());
    await expectApiError(
      channel.send('y'.repeat(2_001)),
      400,
      RESTJSONErrorCodes.InvalidFormBodyOrContentType,
    );
    assert.deepEqual(standIn.channelMessages(textId), []);
  });

  it('GIVEN text sent with mentions allowed or without allowed_mentions THEN it is delivered but recorded as a violation', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.reply({ content: 'hi @everyone', allowedMentions: { parse: ['everyone'] } });
      assert.ok(client.application);
      await client.rest.post(Routes.webhook(client.application.id, interaction.token), {
        body: { content: 'raw follow-up without allowed_mentions' },
        auth: false,
      });
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'ping' },
    });
    await done;
    assert.equal(handle.original(), 'hi @everyone');
    assert.equal(handle.followUps()[0]?.content, 'raw follow-up without allowed_mentions');
    const found = violationsOf(standIn, handle);
    assert.ok(found.some((v) => v.includes('allowed_mentions.parse is ["everyone"]')));
    assert.ok(found.some((v) => v.includes('without allowed_mentions')));
  });

  it('GIVEN edits to one message faster than the limit THEN Discord answers 429, discord.js waits, and a violation is recorded', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.deferReply();
      for (let i = 1; i <= 5; i += 1) await interaction.editReply(`chunk ${i}`);
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'stream' },
    });
    await done;
    assert.equal(handle.original(), 'chunk 5');
    assert.deepEqual(
      handle.edits().map((e) => e.content),
      ['chunk 1', 'chunk 2', 'chunk 3', 'chunk 4', 'chunk 5'],
    );
    const patches = standIn.calls.filter((c) => c.method === 'PATCH' && c.path.includes(handle.token));
    assert.ok(patches.some((c) => c.status === 429));
    assert.ok(violationsOf(standIn, handle).some((v) => v.includes('→ 429')));
  });

  it('GIVEN an interaction token older than 15 minutes WHEN the bot edits THEN 401 50027 and a violation', async () => {
    const done = onNextCommand(async (interaction) => {
      await interaction.deferReply();
      skew += 15 * 60_000 + 1;
      try {
        await expectApiError(interaction.editReply('finally'), 401, RESTJSONErrorCodes.InvalidWebhookToken);
      } finally {
        skew -= 15 * 60_000 + 1;
      }
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'slow' },
    });
    await done;
    assert.equal(handle.original(), '');
    assert.ok(violationsOf(standIn, handle).some((v) => v.includes('15 min')));
  });

  it('GIVEN an autocomplete request WHEN the bot responds THEN the handle has the choices', async () => {
    const seen = new Promise<{ focused: string; subcommand: string }>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction: Interaction) => {
        if (!interaction.isAutocomplete()) {
          reject(new Error('expected autocomplete'));
          return;
        }
        const auto: AutocompleteInteraction = interaction;
        const result = {
          focused: String(auto.options.getFocused()),
          subcommand: auto.options.getSubcommand(),
        };
        auto
          .respond([{ name: 'mistral-small-latest', value: 'mistral-small-latest' }])
          .then(() => resolve(result), reject);
      });
    });
    const handle = standIn.autocomplete({
      guildId,
      channelId: textId,
      command: 'model',
      subcommand: 'set',
      options: { name: 'mist' },
      focused: 'name',
    });
    assert.deepEqual(await seen, { focused: 'mist', subcommand: 'set' });
    await handle.waitFor((h) => h.responseType === 8, 2_000);
    assert.deepEqual(handle.choices(), [{ name: 'mistral-small-latest', value: 'mistral-small-latest' }]);
    assert.deepEqual(violationsOf(standIn, handle), []);
  });

  it('GIVEN a reply fetched with withResponse WHEN the bot starts a thread on it and posts there THEN the thread is created, cached and holds the post', async () => {
    const done = onNextCommand(async (interaction) => {
      const response = await interaction.reply({ content: 'Answer', withResponse: true });
      const message = response.resource?.message;
      assert.ok(message, 'with_response returns the message');
      const thread = await message.startThread({ name: 'Follow-up questions' });
      await thread.send('Ask more here.');
      return { messageId: message.id, threadId: thread.id };
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask', options: { prompt: 'q' } });
    const ids = await done;
    assert.equal(ids.threadId, ids.messageId, 'a thread started from a message shares its id');
    const cached = client.channels.cache.get(ids.threadId);
    assert.ok(cached?.isThread());
    assert.equal(cached.parentId, textId);
    assert.deepEqual(
      standIn.channelMessages(ids.threadId).map((m) => m.content),
      ['Ask more here.'],
    );
    assert.deepEqual(violationsOf(standIn, handle), []);
  });

  it('GIVEN a reply with a file THEN the multipart upload is recorded, served locally, and fetch/delete of the reply work', async () => {
    const done = onNextCommand(async (interaction) => {
      const response = await interaction.reply({
        content: 'See attached.',
        files: [{ attachment: Buffer.from('full answer'), name: 'answer.txt' }],
        withResponse: true,
      });
      const url = response.resource?.message?.attachments.first()?.url;
      assert.ok(
        url !== undefined && url.startsWith('http://127.0.0.1:'),
        `attachment URL stays local: ${String(url)}`,
      );
      const downloaded = await (await fetch(url)).text();
      const fetched = await interaction.fetchReply();
      await interaction.deleteReply();
      return { downloaded, fetchedContent: fetched.content };
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'file' },
    });
    assert.deepEqual(await done, { downloaded: 'full answer', fetchedContent: 'See attached.' });
    const upload = standIn.calls.find((c) => c.path.startsWith(`/interactions/${handle.id}/`));
    assert.equal(upload?.files[0]?.filename, 'answer.txt');
    assert.equal(upload?.files[0]?.bytes.toString(), 'full answer');
    assert.deepEqual(
      (upload?.body as { data?: { content?: string } } | undefined)?.data?.content,
      'See attached.',
    );
    assert.equal(handle.original(), undefined, 'deleted');
    assert.deepEqual(handle.allMessages(), []);
    assert.deepEqual(violationsOf(standIn, handle), []);
  });

  it('GIVEN the bot fetches its application THEN the owner comes back', async () => {
    assert.ok(client.application);
    const application = await client.application.fetch();
    assert.equal(application.id, standIn.applicationId);
    assert.equal(application.owner?.id, standIn.ownerId);
  });

  it('GIVEN the bot never answers THEN waitForAck rejects with a message showing the interaction state', async () => {
    const received = once(client, Events.InteractionCreate);
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'ignored' },
    });
    await received;
    await assert.rejects(handle.waitForAck(50), (error: Error) => {
      assert.match(error.message, /timed out after 50 ms/);
      assert.match(error.message, new RegExp(`"interaction":"${handle.id}".*"ackAt":null`));
      return true;
    });
    assert.throws(
      () => standIn.interact({ guildId: snowflake(), channelId: textId, command: 'ask' }),
      /unknown guild/,
    );
  });

  it('GIVEN a route the stand-in lacks THEN it answers 404 and records a violation', async () => {
    const before = standIn.violations.length;
    await expectApiError(client.rest.get(Routes.guildMember(guildId, snowflake())), 404, 0);
    assert.ok(standIn.violations.slice(before).some((v) => v.includes('route unknown')));
  });

  it('GIVEN a wrong bot token WHEN a client logs in THEN login rejects and nothing connects', async () => {
    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiUrl } });
    try {
      await assert.rejects(bad.login('not-the-token'), { code: 'TokenInvalid' });
      const last = standIn.calls.at(-1);
      assert.equal(last?.path, '/gateway/bot');
      assert.equal(last?.status, 401);
    } finally {
      await bad.destroy();
    }
  });
});

describe('Discord stand-in with two shards', () => {
  it('GIVEN two guilds on different shards WHEN a client runs shards 0 and 1 THEN each shard gets its guild and interactions reach it', async () => {
    const now = Date.now();
    // (id >> 22) is the timestamp part, so consecutive milliseconds land on alternating shards.
    const even = snowflake(now - (now % 2));
    const odd = snowflake(now - (now % 2) + 1);
    const evenChannel = snowflake();
    const oddChannel = snowflake();
    const standIn = await startDiscordStandIn({
      shards: 2,
      guilds: [
        { id: even, channels: [{ id: evenChannel }] },
        { id: odd, channels: [{ id: oddChannel }] },
      ],
    });
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: standIn.apiUrl },
      shards: 'auto',
    });
    try {
      const ready = once(client, Events.ClientReady);
      await client.login(standIn.token);
      await ready;
      await standIn.waitForReady(2);
      assert.equal(client.guilds.cache.get(even)?.shardId, 0);
      assert.equal(client.guilds.cache.get(odd)?.shardId, 1);
      const received = new Promise<string | null>((resolve) => {
        client.once(Events.InteractionCreate, (interaction: Interaction) => {
          resolve(interaction.guildId);
          if (interaction.isChatInputCommand())
            void interaction.reply({ content: 'pong', allowedMentions: { parse: [] } });
        });
      });
      const handle = standIn.interact({ guildId: odd, channelId: oddChannel, command: 'ping' });
      assert.equal(await received, odd);
      await handle.waitFor((h) => h.original() === 'pong', 2_000);
      assert.deepEqual(standIn.violations, []);
    } finally {
      await client.destroy();
      await standIn.close();
    }
  });
});

describe('Discord stand-in gateway protocol', () => {
  it('GIVEN a raw socket asking for zlib-stream THEN it still gets JSON, heartbeat ACKs, and close 4004 for a bad token', async () => {
    const standIn = await startDiscordStandIn();
    const socket = new WebSocket(`${standIn.gatewayUrl}/?v=10&encoding=json&compress=zlib-stream`);
    try {
      const frames: unknown[] = [];
      const next = (): Promise<Record<string, unknown>> =>
        new Promise((resolve) => {
          socket.once('message', (data: Buffer, isBinary: boolean) => {
            assert.equal(isBinary, false, 'frames are JSON text');
            const frame = JSON.parse(data.toString()) as Record<string, unknown>;
            frames.push(frame);
            resolve(frame);
          });
        });
      const hello = await next();
      assert.equal(hello.op, 10);
      assert.equal((hello.d as { heartbeat_interval?: number }).heartbeat_interval, 41_250);
      socket.send(JSON.stringify({ op: 1, d: null }));
      assert.equal((await next()).op, 11);
      const closed = once(socket, 'close') as Promise<[number, Buffer]>;
      socket.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
      const [code] = await closed;
      assert.equal(code, 4004);
      assert.equal(frames.length, 2);
    } finally {
      socket.terminate();
      await standIn.close();
      await standIn.close();
    }
  });
});
