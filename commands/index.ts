import type { Command } from '../src/discord/command.ts';
import ask from './ask.ts';
import budget from './budget.ts';
import model from './model.ts';
import usage from './usage.ts';

/** Every slash command the bot registers, by name. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [ask, model, usage, budget].map((c) => [c.data.name, c]),
);
