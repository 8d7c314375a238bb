import {
  MessageFlags,
  type AttachmentPayload,
  type MessageMentionOptions,
  type RepliableInteraction,
} from 'discord.js';
import type { ButtonRow, MessageBody } from './answer-stream.ts';

/** Mentions in anything the bot sends parse nothing: model output must never ping. */
export const NO_MENTIONS: MessageMentionOptions = Object.freeze({ parse: [] });

/** How an interaction has been acknowledged so far. */
type AckState = 'none' | 'deferred-public' | 'deferred-private' | 'deferred-update' | 'replied';

/**
 * Every way the bot answers one interaction, in one place that knows its state: the 3-second
 * acknowledgement (deferred once, however many callers race for it), public and private replies,
 * and the rule that a public answer with content is never deleted to make room for a private
 * message (only the empty "thinking…" placeholder is). One per interaction, made by the dispatcher.
 */
export class InteractionReply {
  readonly interaction: RepliableInteraction;
  #ack: AckState = 'none';
  #deferring: Promise<unknown> | undefined;
  /** The original response shows something (an answer, a notice): never delete it. */
  #shown = false;

  constructor(interaction: RepliableInteraction) {
    this.interaction = interaction;
  }

  /** Acknowledges with "thinking…", publicly or privately, once. Later calls get the first call's promise. */
  defer(privately: boolean): Promise<unknown> {
    this.#deferring ??=
      this.#ack !== 'none'
        ? Promise.resolve()
        : this.interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {}).then(() => {
            this.#ack = privately ? 'deferred-private' : 'deferred-public';
          });
    return this.#deferring;
  }

  /** Acknowledges a button click without a new message (the answer follows as a follow-up), once. */
  deferUpdate(): Promise<unknown> {
    if (!this.interaction.isMessageComponent()) return this.defer(true);
    const component = this.interaction;
    this.#deferring ??=
      this.#ack !== 'none'
        ? Promise.resolve()
        : component.deferUpdate().then(() => {
            this.#ack = 'deferred-update';
          });
    return this.#deferring;
  }

  /** Whether the interaction has been acknowledged (or is being). */
  get acknowledged(): boolean {
    return this.#ack !== 'none' || this.#deferring !== undefined;
  }

  /** Whether the answer is a private one (deferred ephemerally). */
  get isPrivate(): boolean {
    return this.#ack === 'deferred-private';
  }

  /** Edits the original response (the deferred reply). Marks it as showing content. */
  async editOriginal(body: MessageBody): Promise<string> {
    await this.#deferring;
    this.#shown = true;
    const message = await this.interaction.editReply({
      content: body.content,
      components: [...body.components],
      allowedMentions: NO_MENTIONS,
    });
    return message.id;
  }

  /** Posts a follow-up (public unless `privately`); resolves with its ID. */
  async followUp(body: MessageBody, privately = false): Promise<string> {
    await this.#deferring;
    const message = await this.interaction.followUp({
      content: body.content,
      components: [...body.components],
      allowedMentions: NO_MENTIONS,
      ...(privately ? { flags: MessageFlags.Ephemeral } : {}),
    });
    return message.id;
  }

  /** Edits a follow-up by ID. */
  async editFollowUp(messageId: string, body: MessageBody): Promise<string> {
    const message = await this.interaction.editReply({
      message: messageId,
      content: body.content,
      components: [...body.components],
      allowedMentions: NO_MENTIONS,
    });
    return message.id;
  }

  /**
   * Sends a private message whatever state the interaction is in. After a public defer that still
   * shows only "thinking…", the placeholder is deleted so nothing is left public; a response that
   * already shows something is left alone and the message comes as a private follow-up.
   */
  async private(
    content: string,
    extra: {
      readonly embeds?: readonly { description: string }[];
      /** Delete a public original even though it showed something (a waiting notice, not an answer). */
      readonly replacesNotice?: boolean;
    } = {},
  ): Promise<void> {
    await this.#deferring?.catch(() => undefined);
    const embeds = extra.embeds ? { embeds: [...extra.embeds] } : {};
    const payload = { content, allowedMentions: NO_MENTIONS, ...embeds };
    switch (this.#ack) {
      case 'none':
        if (this.interaction.deferred || this.interaction.replied) {
          await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        } else {
          this.#ack = 'replied';
          await this.interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
        }
        return;
      case 'deferred-private':
        this.#shown = true;
        await this.interaction.editReply({ ...payload, components: [] });
        return;
      case 'deferred-public':
        if (!this.#shown || extra.replacesNotice) await this.interaction.deleteReply().catch(() => undefined);
        await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        return;
      case 'deferred-update':
      case 'replied':
        await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        return;
    }
  }

  /**
   * A short reply (a report, a confirmation): a fresh reply when nothing was sent yet, else an
   * edit of the deferred reply. `files` are attached (e.g. the /usage chart).
   */
  async respond(
    content: string,
    options: {
      readonly privately: boolean;
      readonly files?: readonly AttachmentPayload[];
      readonly embeds?: readonly { description: string }[];
      readonly components?: readonly ButtonRow[];
    },
  ): Promise<void> {
    await this.#deferring?.catch(() => undefined);
    const payload = {
      content,
      allowedMentions: NO_MENTIONS,
      ...(options.files ? { files: [...options.files] } : {}),
      ...(options.embeds ? { embeds: [...options.embeds] } : {}),
      ...(options.components ? { components: [...options.components] } : {}),
    };
    if (this.#ack === 'deferred-public' || this.#ack === 'deferred-private') {
      this.#shown = true;
      await this.interaction.editReply(payload);
    } else if (this.#ack === 'none' && !this.interaction.deferred && !this.interaction.replied) {
      this.#ack = 'replied';
      this.#shown = true;
      await this.interaction.reply({
        ...payload,
        ...(options.privately ? { flags: MessageFlags.Ephemeral } : {}),
      });
    } else {
      await this.interaction.followUp({
        ...payload,
        ...(options.privately ? { flags: MessageFlags.Ephemeral } : {}),
      });
    }
  }
}

/** Token counts as people read them in English: 1,234,567 (texts use the catalogue's `{n, number}`). */
export function formatTokens(n: number): string {
  return n.toLocaleString('en-US');
}
