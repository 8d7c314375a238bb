import { t, type Locale, type MessageCode } from './catalogue.ts';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { commandName } from './command-names.ts';

/**
 * The Discord locales each bot locale but English is registered under (Discord has two Spanish,
 * `es-ES` and `es-419`, and one Portuguese, `pt-BR`). English is the definitions' own text, which
 * Discord shows every locale not listed here (`en-US`, `en-GB` and the ones the bot does not speak).
 */
export const DISCORD_LOCALES: Readonly<Record<Exclude<Locale, 'en'>, readonly string[]>> = {
  fr: ['fr'],
  de: ['de'],
  es: ['es-ES', 'es-419'],
  it: ['it'],
  'pt-BR': ['pt-BR'],
};

/** `{ [discordLocale]: text }` for every locale but English, which is the definition's own text. */
function localizations(textIn: (locale: Exclude<Locale, 'en'>) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [locale, discordLocales] of Object.entries(DISCORD_LOCALES) as [
    Exclude<Locale, 'en'>,
    readonly string[],
  ][]) {
    const text = textIn(locale);
    for (const discordLocale of discordLocales) out[discordLocale] = text;
  }
  return out;
}

/** A command's or option's description with Discord's `description_localizations`, from the catalogue. */
export function described(code: MessageCode): {
  description: string;
  description_localizations: Record<string, string>;
} {
  return {
    description: t('en', code),
    description_localizations: localizations((locale) => t(locale, code)),
  };
}

/**
 * A context-menu command's name (shown to members) with `name_localizations`, from the catalogue
 * (these names are phrases: "Translate to my language"). Slash commands take theirs from
 * {@link withNameLocalizations}.
 */
export function named(code: MessageCode): { name: string; name_localizations: Record<string, string> } {
  return { name: t('en', code), name_localizations: localizations((locale) => t(locale, code)) };
}

/** A slash command's definition, or one of its options or choices, as far as names go. */
interface NamedPart {
  readonly name: string;
  readonly name_localizations?: unknown;
  readonly options?: readonly NamedPart[];
  readonly choices?: readonly NamedPart[];
}

/**
 * A slash command's definition with `name_localizations` on the command and every subcommand,
 * option and fixed choice, from {@link COMMAND_NAMES}. Throws on a name that table lacks, so a new
 * option cannot be registered untranslated.
 */
export function withNameLocalizations(
  command: RESTPostAPIChatInputApplicationCommandsJSONBody,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return localizeNames(command) as RESTPostAPIChatInputApplicationCommandsJSONBody;
}

function localizeNames(part: NamedPart): NamedPart {
  return {
    ...part,
    name_localizations: localizations((locale) => commandName(locale, part.name)),
    ...(part.options ? { options: part.options.map(localizeNames) } : {}),
    ...(part.choices ? { choices: part.choices.map(localizeNames) } : {}),
  };
}
