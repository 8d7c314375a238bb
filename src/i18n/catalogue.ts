import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './de.ts';
import { en, type MessageCode } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { it } from './it.ts';
import { ptBR } from './pt-BR.ts';

export type { MessageCode };

/** Values a message may take: numbers are formatted for the locale (`{n, number}`), plurals chosen by ICU rules. */
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * The locales the bot speaks; English is the source every other is checked against. Adding one:
 * a file with every code (`satisfies Record<MessageCode, string>`), an entry here and in
 * `CATALOGUES`, its Discord locales in `DISCORD_LOCALES` (commands.ts); the i18n tests then check it.
 */
export const LOCALES = ['en', 'fr', 'de', 'es', 'it', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageCode, string>>>> = {
  en,
  fr,
  de,
  es,
  it,
  'pt-BR': ptBR,
};

/** Every catalogue by locale, for checks and for code that must list every message. */
export const MESSAGES: Readonly<Record<Locale, Readonly<Record<MessageCode, string>>>> = CATALOGUES;

/** The language part of a locale tag, lower case (`pt-BR` → `pt`). */
function languageOf(tag: string): string {
  return tag.split('-')[0]?.toLowerCase() ?? '';
}

/**
 * The bot's locale for a Discord locale (`fr`, `pt-BR`, `es-419`, `en-US`…): an exact match, else
 * the bot locale of the same language (`es-ES` and `es-419` → `es`), else English.
 */
export function pickLocale(discordLocale: string | null | undefined): Locale {
  if (!discordLocale) return 'en';
  const exact = LOCALES.find((l) => l.toLowerCase() === discordLocale.toLowerCase());
  if (exact) return exact;
  const language = languageOf(discordLocale);
  return LOCALES.find((l) => languageOf(l) === language) ?? 'en';
}

/**
 * The locale numbers are formatted in: the reader's own Discord locale when it is a region of the
 * bot locale chosen (`es-419` reads `12,345`, `es-ES` reads `12.345`), else the bot locale.
 * A tag `Intl` rejects falls back to the bot locale.
 */
function formattingLocale(discordLocale: string | null | undefined, lang: Locale): string {
  if (!discordLocale || languageOf(discordLocale) !== languageOf(lang)) return lang;
  try {
    return Intl.getCanonicalLocales(discordLocale)[0] ?? lang;
  } catch {
    return lang;
  }
}

/**
 * Compiled messages, by the locale Discord sent and the code: a cache of pure values (a message
 * compiles the same way every time), kept because compiling ICU patterns, and even choosing their
 * locale, costs far more than formatting. Discord sends about thirty locales; the cap only guards
 * against a caller passing anything else.
 */
const MAX_COMPILED = 10_000;
const compiled = new Map<string, IntlMessageFormat>();

/** One user-facing text in `locale` (a Discord locale or a bot locale), with `params` filled in. */
export function t(locale: string | null | undefined, code: MessageCode, params: MessageParams = {}): string {
  const key = `${locale ?? ''}\u0000${code}`;
  let format = compiled.get(key);
  if (format === undefined) {
    const lang = pickLocale(locale);
    const pattern = CATALOGUES[lang][code] ?? en[code];
    // A text without arguments is itself: nothing to compile or keep (most command descriptions).
    if (!pattern.includes('{')) return pattern;
    format = new IntlMessageFormat(pattern, formattingLocale(locale, lang), undefined, { ignoreTag: true });
    if (compiled.size < MAX_COMPILED) compiled.set(key, format);
  }
  return String(format.format(params));
}

/** The English catalogue, for checks and for code that must list every message. */
export const SOURCE_MESSAGES: Readonly<Record<MessageCode, string>> = en;
