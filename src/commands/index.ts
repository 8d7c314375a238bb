import type { Handlers } from '../discord/command.ts';
import { withNameLocalizations } from '../i18n/commands.ts';
import { answerButtons } from './answer-buttons.ts';
import ask from './ask.ts';
import budget from './budget.ts';
import forget from './forget.ts';
import { askAbout, askAboutModal, explain, summarize, translate } from './message-commands.ts';
import model from './model.ts';
import systemPrompt from './system-prompt.ts';
import usage from './usage.ts';

/** Every door the bot registers or answers: slash commands, message commands, buttons, modals. */
export const handlers: Handlers = {
  slash: new Map([ask, model, usage, budget, forget, systemPrompt].map((c) => [c.data.name, c])),
  message: new Map([askAbout, summarize, explain, translate].map((c) => [c.data.name, c])),
  buttons: new Map([[answerButtons.prefix, answerButtons]]),
  modals: new Map([[askAboutModal.prefix, askAboutModal]]),
};

/** The command definitions registered with Discord; slash commands' names in every bot language. */
export const commandDefinitions = [
  ...[...handlers.slash.values()].map((c) => withNameLocalizations(c.data)),
  ...[...handlers.message.values()].map((c) => c.data),
];
