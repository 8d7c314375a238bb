import { t, type Locale, type MessageCode } from './catalogue.ts';

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
function localizations(code: MessageCode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [locale, discordLocales] of Object.entries(DISCORD_LOCALES) as [Locale, readonly string[]][]) {
    const text = t(locale, code);
    for (const discordLocale of discordLocales) out[discordLocale] = text;
  }
  return out;
}

/** A command's or option's description with Discord's `description_localizations`, from the catalogue. */
export function described(code: MessageCode): {
  description: string;
  description_localizations: Record<string, string>;
} {
  return { description: t('en', code), description_localizations: localizations(code) };
}

/**
 * A context-menu command's name (shown to members) with `name_localizations`. Slash commands and
 * their options keep one English name on purpose: every text, the README and members' habits name
 * them literally (`/model set`, `prompt:`), in every language, and the dispatcher routes by it.
 */
export function named(code: MessageCode): { name: string; name_localizations: Record<string, string> } {
  return { name: t('en', code), name_localizations: localizations(code) };
}
