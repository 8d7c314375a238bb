import type { Command } from '../src/discord/command.ts';
import ask from './ask.ts';
import budget from './budget.ts';
import forget from './forget.ts';
import model from './model.ts';
import systemPrompt from './system-prompt.ts';
import usage from './usage.ts';

/** Every slash command the bot registers, by name. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [ask, model, usage, budget, forget, systemPrompt].map((c) => [c.data.name, c]),
);
