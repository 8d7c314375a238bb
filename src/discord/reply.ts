import {
  MessageFlags,
  type AttachmentPayload,
  type ChatInputCommandInteraction,
  type MessageMentionOptions,
} from 'discord.js';

/** Mentions in anything the bot sends parse nothing: model output must never ping. */
export const NO_MENTIONS: MessageMentionOptions = Object.freeze({ parse: [] });

const deferrals = new WeakMap<ChatInputCommandInteraction, Promise<unknown>>();

/**
 * Defers the reply once, however many callers ask (the dispatcher's 3-second guard and a
 * handler may race). Later calls get the first call's promise.
 */
export function deferOnce(interaction: ChatInputCommandInteraction, privately: boolean): Promise<unknown> {
  let pending = deferrals.get(interaction);
  if (!pending) {
    pending =
      interaction.deferred || interaction.replied
        ? Promise.resolve()
        : interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {});
    deferrals.set(interaction, pending);
  }
  return pending;
}

/**
 * Sends a private (ephemeral) message, whatever state the interaction is in. After a public
 * defer the "thinking…" placeholder is deleted so the refusal is not left public.
 */
export async function replyPrivately(
  interaction: ChatInputCommandInteraction,
  content: string,
): Promise<void> {
  await deferrals.get(interaction)?.catch(() => undefined);
  const payload = { content, allowedMentions: NO_MENTIONS };
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
  } else if (interaction.ephemeral) {
    await interaction.editReply(payload);
  } else {
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
  }
}

/** Sends a (public) answer already split into messages: the first replaces the placeholder. */
export async function sendParts(
  interaction: ChatInputCommandInteraction,
  parts: readonly string[],
): Promise<void> {
  await deferrals.get(interaction);
  const [first = '(empty answer)', ...rest] = parts;
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply({ content: first, allowedMentions: NO_MENTIONS });
  } else {
    await interaction.reply({ content: first, allowedMentions: NO_MENTIONS });
  }
  for (const content of rest) await interaction.followUp({ content, allowedMentions: NO_MENTIONS });
}

/** A Discord timestamp that every reader sees in their own time zone: full date and relative. */
export function discordTime(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<t:${unix}:F> (<t:${unix}:R>)`;
}

/** Token counts as people read them: 1,234,567. */
export function formatTokens(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Replies with a short status message: a fresh reply when nothing was sent yet, else an edit
 * of the deferred reply (the dispatcher's 3-second guard may have deferred already).
 * `files` are attached (e.g. the /usage chart).
 */
export async function respond(
  interaction: ChatInputCommandInteraction,
  content: string,
  options: { privately: boolean; files?: readonly AttachmentPayload[] },
): Promise<void> {
  await deferrals.get(interaction);
  const files = options.files ? { files: [...options.files] } : {};
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply({ content, allowedMentions: NO_MENTIONS, ...files });
  } else {
    await interaction.reply({
      content,
      allowedMentions: NO_MENTIONS,
      ...files,
      ...(options.privately ? { flags: MessageFlags.Ephemeral } : {}),
    });
  }
}
