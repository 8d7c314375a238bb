import {
  ChannelType,
  PermissionFlagsBits,
  type Attachment as DiscordAttachment,
  type Message,
  type RepliableInteraction,
} from 'discord.js';
import type { AskOutcome, AskRequest, AskTask, Attachment, PromptPart } from '../ask/request.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import type { AppContext } from './command.ts';
import { InteractionSink } from './interaction-sink.ts';

/** A Discord interaction token lives 15 minutes; a question must start upstream well before that. */
const START_DEADLINE_MS = 14 * 60_000;

/**
 * Where an interaction happened, from its payload: discord.js builds the channel from the
 * interaction's own `channel` object (the client has `Partials.Channel`), so a thread the client
 * never cached (a private thread, one from before a restart) is still known as a thread of its
 * parent.
 */
export function placeOf(interaction: RepliableInteraction): {
  readonly inThread: boolean;
  readonly parentId: string | undefined;
  readonly type: ChannelType | undefined;
} {
  const channel = interaction.channel;
  if (channel?.isThread())
    return { inThread: true, parentId: channel.parentId ?? undefined, type: channel.type };
  return { inThread: false, parentId: undefined, type: channel?.type };
}

/** An attachment as the core takes it. */
export function attachmentOf(a: DiscordAttachment): Attachment {
  return {
    name: a.name,
    url: a.url,
    contentType: a.contentType ?? undefined,
    size: a.size,
    width: a.width ?? undefined,
    height: a.height ?? undefined,
  };
}

/** A message picked with a context-menu command, as a quote part (content comes with the command). */
export function quoteOf(message: Message): Extract<PromptPart, { kind: 'quote' }> {
  return {
    kind: 'quote',
    author: message.member?.displayName ?? message.author.displayName,
    text: message.content,
    attachments: [...message.attachments.values()].map(attachmentOf),
  };
}

export interface AskDoorOptions {
  readonly task: AskTask;
  readonly parts: readonly PromptPart[];
  readonly visibility: 'public' | 'private';
  /** `/ask thread:true`: open a public thread from the answer (checked up front). */
  readonly openThread?: boolean;
}

/**
 * Every interaction door's way into the ask core: the request from the payload, a Stop-able
 * answer registered for this process, and the interaction sink. Slash commands, context menus,
 * modals and buttons call this and nothing else.
 */
export async function askFromInteraction(
  interaction: RepliableInteraction,
  ctx: AppContext,
  options: AskDoorOptions,
  extra: {
    readonly history?: AskRequest['history'];
    readonly regeneratedBy?: string;
    readonly asFollowUp?: boolean;
  } = {},
): Promise<AskOutcome> {
  const guildId = interaction.guildId;
  if (!guildId) throw new UserError('guild_only');
  const place = placeOf(interaction);
  if (options.openThread && !place.inThread) checkCanOpenThread(interaction, place.type);
  const running = ctx.running.start(interaction.id);
  try {
    const request: AskRequest = {
      guildId,
      channelId: interaction.channelId ?? guildId,
      parentId: place.parentId,
      inThread: place.inThread,
      userId: interaction.user.id,
      locale: interaction.locale,
      guildLocale: interaction.guildLocale ?? undefined,
      task: options.task,
      parts: options.parts,
      deadline: interaction.createdTimestamp + START_DEADLINE_MS,
      signal: running.signal,
      ...(extra.history ? { history: extra.history } : {}),
      ...(extra.regeneratedBy ? { regenerated: true } : {}),
    };
    const question = options.parts.flatMap((p) => (p.kind === 'text' ? [p.text] : [])).join(' ');
    const sink = new InteractionSink({
      reply: ctx.reply,
      answerId: interaction.id,
      askerId: interaction.user.id,
      visibility: options.visibility,
      locale: interaction.locale,
      guildLocale: interaction.guildLocale ?? undefined,
      archive: ctx.archive,
      log: ctx.log,
      ref: ctx.ref,
      roomForNotices: () => ctx.requests.hasRoomForOptional(),
      ...(options.openThread && !place.inThread && interaction.channelId
        ? { openThread: { channelId: interaction.channelId, question } }
        : {}),
      ...(extra.asFollowUp ? { asFollowUp: true } : {}),
      ...(extra.regeneratedBy
        ? {
            heading: t(
              options.visibility === 'private'
                ? interaction.locale
                : (interaction.guildLocale ?? interaction.locale),
              'regenerated_note',
              {
                user: `<@${extra.regeneratedBy}>`,
              },
            ),
          }
        : {}),
    });
    return await ctx.ask.answer(request, sink, ctx.log);
  } finally {
    running.done();
  }
}

/** Refuses `thread:true` up front, before anything is spent, where no thread can be opened. */
function checkCanOpenThread(interaction: RepliableInteraction, type: ChannelType | undefined): void {
  if (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement) {
    throw new UserError('thread_needs_text_channel');
  }
  const needed = PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads;
  if (!interaction.appPermissions?.has(needed)) {
    throw new UserError('bot_missing_permission', { permission: 'CreatePublicThreads' });
  }
}
