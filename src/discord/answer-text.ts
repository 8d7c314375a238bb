import { ButtonStyle, ComponentType } from 'discord.js';
import type { FinishedAnswer } from '../ask/request.ts';
import { t } from '../i18n/catalogue.ts';
import type { ButtonRow } from './answer-stream.ts';
import { fenceAt } from './split-message.ts';

/** Only waits at least this long are worth a notice; quicker answers would just flash it. */
export const NOTICE_MIN_WAIT_MS = 2_000;

/** What a waiting member sees in place of Discord's "thinking…". */
export function waitingText(
  locale: string | undefined,
  position: number,
  etaMs: number,
  stalled: boolean,
): string {
  if (stalled) return t(locale, 'waiting_stalled', { position: position + 1 });
  const seconds = Math.max(1, Math.round(etaMs / 1000));
  return seconds < 90
    ? t(locale, 'waiting', { position: position + 1, eta: 'seconds', seconds, minutes: 0 })
    : t(locale, 'waiting', {
        position: position + 1,
        eta: 'minutes',
        seconds,
        minutes: Math.round(seconds / 60),
      });
}

/**
 * What members see after the streamed text: a closing fence if the answer stopped inside a code
 * block, a note when it was cut off, cut short or stopped, and a small subtext footer with the
 * model and the tokens charged. The footer ends the last message.
 */
export function closingLines(locale: string | undefined, end: FinishedAnswer): string {
  const { content } = end;
  let lead = '';
  if (content.trim() === '') lead = end.end === 'stopped' ? '' : t(locale, 'answer_empty');
  else if (fenceAt(`${content}\n`, content.length + 1) !== undefined)
    lead = content.endsWith('\n') ? '```' : '\n```';
  const notes: string[] = [];
  if (end.end === 'cut_off') notes.push(t(locale, 'answer_cut_off', { why: end.cutOffBy ?? 'network' }));
  if (end.end === 'length') notes.push(t(locale, 'answer_length'));
  if (end.end === 'stopped') notes.push(t(locale, 'answer_stopped'));
  notes.push(
    t(locale, 'answer_footer', {
      model: end.model.replaceAll('_', '\\_'),
      estimated: end.estimated ? 'yes' : 'no',
      tokens: end.usage.totalTokens,
      turns: end.contextTurns,
      thought: end.thoughtMs === undefined ? 'none' : String(Math.max(1, Math.round(end.thoughtMs / 1000))),
    }),
  );
  return `${lead}\n${notes.join('\n')}`;
}

/** A thread's name from the question that opened it: one line, at most Discord's 100 characters. */
export function threadName(locale: string | undefined, prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  if (chars.length === 0) return t(locale, 'thread_name_default');
  return chars.length <= 100 ? line : `${chars.slice(0, 99).join('').trimEnd()}…`;
}

/**
 * Custom IDs of the answer buttons. They carry everything a click needs (who asked), so buttons
 * keep working after a restart; the question itself is kept in the store under the message ID.
 * Discord allows 100 characters.
 */
export const BUTTON = {
  stop: (askerId: string, answerId: string) => `answer:stop:${askerId}:${answerId}`,
  regenerate: (askerId: string) => `answer:regen:${askerId}`,
  reasoning: () => 'answer:reasoning',
} as const;

/** The Stop button, shown on the message being written. */
export function stopRow(locale: string | undefined, askerId: string, answerId: string): ButtonRow {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: BUTTON.stop(askerId, answerId),
        label: t(locale, 'button_stop'),
        emoji: { name: '⏹️' },
      },
    ],
  };
}

/** The buttons under a finished answer: Regenerate, and Show reasoning when there is any. */
export function finishedRow(locale: string | undefined, askerId: string, hasReasoning: boolean): ButtonRow {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: BUTTON.regenerate(askerId),
        label: t(locale, 'button_regenerate'),
        emoji: { name: '🔁' },
      },
      ...(hasReasoning
        ? [
            {
              type: ComponentType.Button as const,
              style: ButtonStyle.Secondary as const,
              custom_id: BUTTON.reasoning(),
              label: t(locale, 'button_reasoning'),
              emoji: { name: '💭' },
            },
          ]
        : []),
    ],
  };
}
