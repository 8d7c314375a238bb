import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  LabelBuilder,
  ModalBuilder,
  Routes,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import type { ButtonInteraction, ChatInputCommandInteraction, Client, Interaction } from 'discord.js';
import { snowflake, startDiscordStandIn } from './discord.ts';
import type { DiscordStandIn, InteractionHandle } from './discord.ts';
import { makeJpeg, makePng } from './images.ts';
import { loginClient, nextInteraction } from '../support/discord-client.ts';

const answerRow = () =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('ask:stop').setLabel('Stop').setStyle(ButtonStyle.Danger),
    new ButtonBuilder()
      .setCustomId('ask:again')
      .setLabel('Regenerate')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(true),
    new ButtonBuilder().setURL('https://docs.mistral.ai').setLabel('Docs').setStyle(ButtonStyle.Link),
  );

function asCommand(interaction: Interaction): ChatInputCommandInteraction {
  assert.ok(interaction.isChatInputCommand(), `expected a slash command, got type ${interaction.type}`);
  return interaction;
}

function asButton(interaction: Interaction): ButtonInteraction {
  assert.ok(interaction.isButton(), `expected a button click, got type ${interaction.type}`);
  return interaction;
}

describe('Discord stand-in: buttons, modals and attachments with the real discord.js client', () => {
  const guildId = snowflake();
  const textId = snowflake();
  let skew = 0;
  let standIn: DiscordStandIn;
  let client: Client;
  const violationsOf = (handle: InteractionHandle) => standIn.violations.filter((v) => v.includes(handle.id));

  /** A slash command answered with a reply that carries the Stop / Regenerate / Docs row. */
  async function answerWithButtons(): Promise<{ handle: InteractionHandle; messageId: string }> {
    const done = nextInteraction(client, async (i) => {
      await asCommand(i).reply({ content: 'The answer.', components: [answerRow()] });
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask', options: { prompt: 'q' } });
    await done;
    const messageId = handle.originalMessage()?.id;
    assert.ok(messageId);
    return { handle, messageId };
  }

  before(async () => {
    standIn = await startDiscordStandIn({
      clock: () => Date.now() + skew,
      guilds: [{ id: guildId, channels: [{ id: textId, name: 'general' }] }],
    });
    client = await loginClient(standIn);
    assert.ok(client.application);
    await client.application.commands.set(
      [
        {
          name: 'ask',
          description: 'Ask the model',
          options: [
            { name: 'prompt', description: 'Your question', type: ApplicationCommandOptionType.String },
            { name: 'file', description: 'A file', type: ApplicationCommandOptionType.Attachment },
          ],
        },
      ],
      guildId,
    );
  });

  after(async () => {
    await client?.destroy();
    await standIn?.close();
  });

  it('GIVEN an answer with buttons WHEN a member clicks Stop and the bot defers the update and edits THEN the clicked message changes; disabled, unknown or removed buttons cannot be clicked', async () => {
    const { handle, messageId } = await answerWithButtons();
    assert.deepEqual(
      (
        handle.originalMessage()?.components[0] as {
          components: Array<{ custom_id?: string; disabled?: boolean }>;
        }
      ).components.map((b) => [b.custom_id, b.disabled ?? false]),
      [
        ['ask:stop', false],
        ['ask:again', true],
        [undefined, false],
      ],
    );
    const clicked = nextInteraction(client, async (i) => {
      const button = asButton(i);
      await button.deferUpdate();
      await button.editReply({ content: 'Stopped.', components: [] });
      return {
        customId: button.customId,
        messageId: button.message.id,
        by: button.message.interactionMetadata?.id,
        user: button.user.id,
      };
    });
    const click = standIn.click({ messageId, customId: 'ask:stop', userId: '300000000000000002' });
    assert.deepEqual(await clicked, {
      customId: 'ask:stop',
      messageId,
      by: handle.id,
      user: '300000000000000002',
    });
    assert.equal(click.kind, 'component');
    assert.equal(click.responseType, 6);
    assert.equal(click.original(), 'Stopped.');
    assert.equal(handle.original(), 'Stopped.', 'the webhook edit changed the message the button was on');
    assert.deepEqual(handle.originalMessage()?.components, []);
    assert.throws(() => standIn.click({ messageId, customId: 'ask:stop' }), /has no button "ask:stop"/);
    const second = await answerWithButtons();
    assert.throws(() => standIn.click({ messageId: second.messageId, customId: 'ask:again' }), /disabled/);
    assert.throws(
      () => standIn.click({ messageId: second.messageId, customId: 'nope' }),
      /has no button "nope"/,
    );
    assert.deepEqual([...violationsOf(handle), ...violationsOf(click)], []);
  });

  it('GIVEN a click answered with update (7) and then a webhook edit, or with an ephemeral reply THEN each lands where Discord puts it', async () => {
    const { handle, messageId } = await answerWithButtons();
    const updated = nextInteraction(client, async (i) => {
      const button = asButton(i);
      await button.update({ content: 'Regenerating…', components: [] });
      await button.editReply('Regenerated answer.');
    });
    const update = standIn.click({ messageId, customId: 'ask:stop' });
    await updated;
    assert.equal(update.responseType, 7);
    assert.equal(handle.original(), 'Regenerated answer.');
    assert.deepEqual(
      update.edits().map((e) => e.content),
      ['Regenerating…', 'Regenerated answer.'],
    );

    const other = await answerWithButtons();
    const replied = nextInteraction(client, async (i) => {
      await asButton(i).reply({ content: 'Only you see this.', flags: 64 });
    });
    const ephemeral = standIn.click({ messageId: other.messageId, customId: 'ask:stop' });
    await replied;
    assert.equal(ephemeral.responseType, 4);
    assert.equal(ephemeral.ephemeral, true);
    assert.equal(ephemeral.original(), 'Only you see this.');
    assert.equal(other.handle.original(), 'The answer.', 'the message with the button is unchanged');
    assert.deepEqual([...violationsOf(update), ...violationsOf(ephemeral)], []);
  });

  it('GIVEN buttons over Discord’s limits THEN 400 50035 and a violation', async () => {
    const done = nextInteraction(client, async (i) => {
      const command = asCommand(i);
      await command.deferReply();
      const six = Array.from({ length: 6 }, (_, n) => ({
        type: 2,
        style: 1,
        label: `b${n}`,
        custom_id: `b${n}`,
      }));
      const errors: unknown[] = [];
      for (const components of [
        [{ type: 1, components: six }],
        [{ type: 1, components: [{ type: 2, style: 1, label: 'x', custom_id: 'x'.repeat(101) }] }],
        [{ type: 1, components: [{ type: 2, style: 9, label: 'x', custom_id: 'x' }] }],
      ]) {
        try {
          await client.rest.patch(Routes.webhookMessage(standIn.applicationId, command.token), {
            body: { content: 'x', components, allowed_mentions: { parse: [] } },
            auth: false,
          });
        } catch (error) {
          errors.push(error);
        }
      }
      return errors;
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask' });
    const errors = await done;
    assert.equal(errors.length, 3);
    assert.ok(errors.every((e) => e instanceof DiscordAPIError && e.status === 400 && e.code === 50_035));
    assert.equal(violationsOf(handle).length, 3);
  });

  it('GIVEN a modal with labels WHEN the member submits it THEN the bot reads the typed text and the picked option; only an opened modal can be submitted, once, with valid values', async () => {
    const modal = new ModalBuilder()
      .setCustomId('ask:form')
      .setTitle('Ask Mistral')
      .addLabelComponents(
        new LabelBuilder()
          .setLabel('Your question')
          .setTextInputComponent(
            new TextInputBuilder()
              .setCustomId('question')
              .setStyle(TextInputStyle.Paragraph)
              .setMaxLength(4_000),
          ),
        new LabelBuilder()
          .setLabel('Answer in')
          .setStringSelectMenuComponent(
            new StringSelectMenuBuilder()
              .setCustomId('lang')
              .addOptions({ label: 'English', value: 'en' }, { label: 'Français', value: 'fr' }),
          ),
      );
    const opened = nextInteraction(client, async (i) => {
      await asCommand(i).showModal(modal);
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask' });
    await opened;
    assert.equal(handle.responseType, 9);
    assert.equal(handle.modal()?.customId, 'ask:form');
    assert.equal(handle.original(), undefined);
    assert.throws(() => standIn.submitModal(handle, { question: '' }), /question is required/);
    assert.throws(
      () => standIn.submitModal(handle, { question: 'x'.repeat(4_001), lang: 'en' }),
      /takes 0–4000 characters/,
    );
    assert.throws(() => standIn.submitModal(handle, { question: 'ok', lang: 'de' }), /offers/);
    const submitted = nextInteraction(client, async (i) => {
      assert.ok(i.isModalSubmit());
      const result = {
        customId: i.customId,
        question: i.fields.getTextInputValue('question'),
        lang: i.fields.getStringSelectValues('lang'),
      };
      await i.reply({ content: `You asked: ${result.question}`, flags: 64 });
      return result;
    });
    const submit = standIn.submitModal(handle, { question: 'Why is the sky blue?', lang: ['fr'] });
    assert.deepEqual(await submitted, {
      customId: 'ask:form',
      question: 'Why is the sky blue?',
      lang: ['fr'],
    });
    assert.equal(submit.kind, 'modal-submit');
    assert.equal(submit.original(), 'You asked: Why is the sky blue?');
    assert.equal((submit.payload.member as { user: { id: string } }).user.id, standIn.defaultUserId);
    assert.throws(() => standIn.submitModal(handle, { question: 'again', lang: 'en' }), /already submitted/);
    assert.throws(() => standIn.submitModal(submit, {}), /opened no modal/);
    assert.deepEqual([...violationsOf(handle), ...violationsOf(submit)], []);
  });

  it('GIVEN a button that opens a legacy action-row modal THEN its submit carries the message and may defer the update; an oversized modal is refused', async () => {
    const { messageId } = await answerWithButtons();
    const opened = nextInteraction(client, async (i) => {
      await asButton(i).showModal(
        new ModalBuilder()
          .setCustomId('ask:follow')
          .setTitle('Follow-up')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder()
                .setCustomId('more')
                .setLabel('More detail')
                .setStyle(TextInputStyle.Short),
            ),
          ),
      );
    });
    const click = standIn.click({ messageId, customId: 'ask:stop' });
    await opened;
    const submitted = nextInteraction(client, async (i) => {
      assert.ok(i.isModalSubmit());
      await i.deferUpdate();
      return { text: i.fields.getTextInputValue('more'), message: i.message?.id };
    });
    const submit = standIn.submitModal(click, { more: 'shorter please' });
    assert.deepEqual(await submitted, { text: 'shorter please', message: messageId });
    assert.equal(submit.responseType, 6);

    const refused = nextInteraction(client, async (i) => {
      const command = asCommand(i);
      try {
        await client.rest.post(Routes.interactionCallback(command.id, command.token), {
          body: {
            type: 9,
            data: {
              custom_id: 'x',
              title: 'T'.repeat(46),
              components: [{ type: 18, label: 'Q', component: { type: 4, custom_id: 'q', style: 1 } }],
            },
          },
          auth: false,
        });
      } catch (error) {
        return error;
      }
      return undefined;
    });
    const handle = standIn.interact({ guildId, channelId: textId, command: 'ask' });
    const error = await refused;
    assert.ok(error instanceof DiscordAPIError && error.code === 50_035);
    assert.ok(violationsOf(handle).some((v) => v.includes('title')));
    assert.equal(handle.modal(), undefined);
  });

  it('GIVEN an image attached to a slash option THEN it resolves with size and pixels, downloads without auth from a signed URL that expires, and files over the upload limit are refused', async () => {
    const png = makePng(800, 600);
    const seen = nextInteraction(client, async (i) => {
      const command = asCommand(i);
      const file = command.options.getAttachment('file', true);
      const body = Buffer.from(await (await fetch(file.url)).arrayBuffer());
      await command.reply({ content: 'Got it.', flags: 64 });
      return {
        name: file.name,
        width: file.width,
        height: file.height,
        type: file.contentType,
        size: file.size,
        same: body.equals(png),
        url: file.url,
        ephemeral: file.ephemeral,
        limit: command.attachmentSizeLimit,
      };
    });
    const handle = standIn.interact({
      guildId,
      channelId: textId,
      command: 'ask',
      options: { prompt: 'what is this?', file: { filename: 'photo.png', bytes: png } },
    });
    const got = await seen;
    assert.deepEqual(
      { ...got, url: undefined },
      {
        name: 'photo.png',
        width: 800,
        height: 600,
        type: 'image/png',
        size: png.length,
        same: true,
        url: undefined,
        ephemeral: true,
        limit: 10_485_760,
      },
    );
    const url = new URL(got.url);
    assert.match(url.pathname, new RegExp(`^/attachments/${textId}/\\d+/photo.png$`));
    assert.ok(url.searchParams.get('ex') && url.searchParams.get('is') && url.searchParams.get('hm'));
    url.searchParams.set('hm', '0'.repeat(64));
    assert.equal((await fetch(url)).status, 404, 'a tampered signature is refused');
    skew += 25 * 3_600_000;
    try {
      const expired = await fetch(got.url);
      assert.equal(expired.status, 404);
      assert.equal(await expired.text(), 'This content is no longer available.');
    } finally {
      skew -= 25 * 3_600_000;
    }
    assert.throws(
      () =>
        standIn.interact({
          guildId,
          channelId: textId,
          command: 'ask',
          attachmentSizeLimit: 1_000,
          options: { file: { filename: 'big.jpg', bytes: makeJpeg(400, 400) } },
        }),
      /over the 1000-byte upload limit/,
    );
    assert.deepEqual(violationsOf(handle), []);
  });
});
