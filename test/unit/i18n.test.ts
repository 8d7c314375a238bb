import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isArgumentElement,
  isNumberElement,
  isPluralElement,
  isSelectElement,
  parse,
  type MessageFormatElement,
} from '@formatjs/icu-messageformat-parser';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  Locale as DiscordLocale,
  type APIApplicationCommandOption,
} from 'discord.js';
import { commandDefinitions } from '../../src/commands/index.ts';
import { failureMessage, UserError } from '../../src/errors.ts';
import {
  LOCALES,
  MESSAGES,
  pickLocale,
  SOURCE_MESSAGES,
  t,
  type Locale,
  type MessageCode,
  type MessageParams,
} from '../../src/i18n/catalogue.ts';
import { DISCORD_LOCALES } from '../../src/i18n/commands.ts';
import { COMMAND_NAMES } from '../../src/i18n/command-names.ts';

/*
 * Checks over the catalogue itself: every locale has every code with the same ICU arguments as
 * English, the plural forms its language needs, the same Markdown and Discord markup, formats with
 * any plausible values, and fits Discord's limits where it becomes a command, button or modal.
 */

const CODES = Object.keys(SOURCE_MESSAGES) as MessageCode[];
const TRANSLATIONS = LOCALES.filter((l): l is Exclude<Locale, 'en'> => l !== 'en');

/**
 * A locale's text, or undefined while it lacks the code (English grows first; the type check and
 * the "exactly the English codes" test name what is missing, the other checks skip it).
 */
function textOf(locale: Locale, code: MessageCode): string | undefined {
  return (MESSAGES[locale] as Partial<Record<MessageCode, string>>)[code];
}

/** The codes a locale has. */
function codesOf(locale: Locale): MessageCode[] {
  return CODES.filter((code) => textOf(locale, code) !== undefined);
}

// ---- ICU arguments -------------------------------------------------------------------------

/** What one ICU argument is used as, anywhere in a message (branches included). */
interface ArgumentUse {
  /** `string`, `numeric` (plain number or plural: both print the number), `number:<style>` or `select`. */
  readonly kinds: Set<string>;
  /** A select's option keys. */
  readonly selectOptions: Set<string>;
  /** A plural's category keys (`one`, `other`…) and exact keys (`=0`), each plural of the message merged. */
  readonly pluralCategories: Set<string>;
  readonly pluralExact: Set<string>;
}

function argumentsOf(pattern: string): Map<string, ArgumentUse> {
  const uses = new Map<string, ArgumentUse>();
  const use = (name: string): ArgumentUse => {
    let u = uses.get(name);
    if (!u) {
      u = { kinds: new Set(), selectOptions: new Set(), pluralCategories: new Set(), pluralExact: new Set() };
      uses.set(name, u);
    }
    return u;
  };
  const walk = (elements: readonly MessageFormatElement[]): void => {
    for (const el of elements) {
      if (isArgumentElement(el)) use(el.value).kinds.add('string');
      else if (isNumberElement(el)) {
        const style =
          typeof el.style === 'string'
            ? el.style
            : el.style
              ? JSON.stringify(el.style.parsedOptions)
              : undefined;
        use(el.value).kinds.add(style === undefined ? 'numeric' : `number:${style}`);
      } else if (isPluralElement(el)) {
        const u = use(el.value);
        u.kinds.add('numeric');
        for (const key of Object.keys(el.options))
          (key.startsWith('=') ? u.pluralExact : u.pluralCategories).add(key);
        for (const option of Object.values(el.options)) walk(option.value);
      } else if (isSelectElement(el)) {
        const u = use(el.value);
        u.kinds.add('select');
        for (const key of Object.keys(el.options)) u.selectOptions.add(key);
        for (const option of Object.values(el.options)) walk(option.value);
      }
    }
  };
  walk(parse(pattern, { ignoreTag: true }));
  return uses;
}

/** A comparable summary of a message's arguments: name → kinds, select options, exact plural keys. */
function signature(pattern: string): Record<string, string> {
  return Object.fromEntries(
    [...argumentsOf(pattern)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, u]) => [
        name,
        [
          [...u.kinds].sort().join('+'),
          u.selectOptions.size > 0 ? `select{${[...u.selectOptions].sort().join(',')}}` : '',
          u.pluralExact.size > 0 ? `exact{${[...u.pluralExact].sort().join(',')}}` : '',
        ].join(' '),
      ]),
  );
}

// ---- plausible values ------------------------------------------------------------------------

const PLURAL_VALUES = [0, 1, 2, 5, 21, 1_000_000];

/**
 * Every combination of select branches (each option, with `other` reached by a value no option
 * names) and, when `pluralValue` is given, that value for every plural. Other numbers get values
 * apart from any digit the texts contain, percentages a share under 1, strings a marker.
 */
function paramSets(pattern: string, pluralValue?: number): MessageParams[] {
  const uses = [...argumentsOf(pattern)];
  let sets: Record<string, string | number>[] = [{}];
  uses.forEach(([name, u], i) => {
    let values: (string | number)[];
    if (u.kinds.has('select'))
      values = [...u.selectOptions].map((key) => (key === 'other' ? `ZZ${name}` : key));
    else if ([...u.kinds].some((k) => k.includes('percent'))) values = [(61 + i) / 100];
    else if (u.kinds.has('numeric'))
      values = [u.pluralCategories.size > 0 && pluralValue !== undefined ? pluralValue : 731 + i];
    else values = [`ZZ${name}`];
    sets = sets.flatMap((set) => values.map((v) => ({ ...set, [name]: v })));
  });
  return sets;
}

/** The printable values of a parameter set, as the locale shows them. */
function shownValues(locale: string, params: MessageParams, pattern: string): string[] {
  const uses = argumentsOf(pattern);
  return Object.entries(params).flatMap(([name, value]) => {
    const u = uses.get(name);
    // A select's own keys (`none`, `yes`) may be words of the text; only the `other` marker is a value.
    if (typeof value === 'string') return u?.kinds.has('string') && value.startsWith('ZZ') ? [value] : [];
    if ([...(u?.kinds ?? [])].some((k) => k.includes('percent'))) return [String(Math.round(value * 100))];
    return [new Intl.NumberFormat(locale).format(value)];
  });
}

// ---- Markdown and Discord markup -----------------------------------------------------------

/** What a translation must carry over from English unchanged: code spans, emoji, bold, subtext, markup. */
function markup(text: string): Record<string, unknown> {
  const withoutCode = text.replace(/`[^`]*`/g, '');
  return {
    code: (text.match(/`[^`]*`/g) ?? []).sort(),
    emoji: (text.match(/\p{Extended_Pictographic}/gu) ?? []).sort(),
    bold: (text.match(/\*\*/g) ?? []).length,
    subtext: text.startsWith('-# '),
    lines: text.split('\n').length,
    discord: (text.match(/<[#@]|<t:/g) ?? []).sort(),
    commands: [...withoutCode.matchAll(/(?:^|[\s(])(\/\p{Ll}[\p{Ll}-]*)/gu)].map((m) => m[1]).sort(),
  };
}

/**
 * An English text with its command references (`/model set`, `/usage alerts:off`, `` `prompt:` ``)
 * in `locale`'s command names: what the translation must say, since members see those names.
 */
function withLocalCommandNames(locale: Locale, text: string): string {
  if (locale === 'en') return text;
  const name = (english: string) => COMMAND_NAMES[english]?.[locale] ?? `(no ${locale} name for ${english})`;
  return text
    .replace(
      /\/(ask|model|usage|budget|forget|system-prompt)\b((?: (?:set|show|list|clear|member)\b)?)((?: (?:alerts-channel|alerts):(?:off)?)?)/g,
      (_, command: string, sub: string, option: string) => {
        let out = `/${name(command)}`;
        if (sub) out += ` ${name(sub.trim())}`;
        if (option) {
          const [key = '', value = ''] = option.trim().split(':');
          out += ` ${name(key)}:${value ? name(value) : ''}`;
        }
        return out;
      },
    )
    .replace(
      /`(prompt|tokens|reasoning|clear|alerts-channel|alerts):(off)?`/g,
      (_, key: string, value?: string) => `\`${name(key)}:${value ? name(value) : ''}\``,
    );
}

// ---- command definitions -------------------------------------------------------------------

/** Discord's rule for slash-command and option names (and their localizations); they must also be lower case. */
const SLASH_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

interface Named {
  readonly name: string;
  readonly name_localizations?: Readonly<Record<string, string | null>> | null;
  readonly description?: string;
  readonly description_localizations?: Readonly<Record<string, string | null>> | null;
}

/** Every command and option (subcommands and their options included), with its path for messages. */
function everyCommandPart(): {
  path: string;
  part: Named;
  slash: boolean;
  choices: readonly { name: string }[];
}[] {
  const out: { path: string; part: Named; slash: boolean; choices: readonly { name: string }[] }[] = [];
  const visit = (path: string, option: APIApplicationCommandOption): void => {
    const choices =
      'choices' in option && Array.isArray(option.choices) ? (option.choices as { name: string }[]) : [];
    out.push({ path: `${path} ${option.name}`, part: option, slash: true, choices });
    if ('options' in option && option.options)
      for (const o of option.options) visit(`${path} ${option.name}`, o);
  };
  for (const command of commandDefinitions) {
    const slash =
      !('type' in command) || command.type === undefined || command.type === ApplicationCommandType.ChatInput;
    out.push({ path: command.name, part: command, slash, choices: [] });
    if ('options' in command && command.options) for (const o of command.options) visit(command.name, o);
  }
  return out;
}

/** Registered slash commands: name → subcommand names and option names (any depth). */
function slashIndex(): Map<string, { subcommands: Set<string>; options: Set<string> }> {
  const index = new Map<string, { subcommands: Set<string>; options: Set<string> }>();
  for (const command of commandDefinitions) {
    if ('type' in command && command.type !== undefined && command.type !== ApplicationCommandType.ChatInput)
      continue;
    const entry = { subcommands: new Set<string>(), options: new Set<string>() };
    const visit = (option: APIApplicationCommandOption): void => {
      const isSub =
        option.type === ApplicationCommandOptionType.Subcommand ||
        option.type === ApplicationCommandOptionType.SubcommandGroup;
      (isSub ? entry.subcommands : entry.options).add(option.name);
      if ('options' in option && option.options) for (const o of option.options) visit(o);
    };
    if ('options' in command && command.options) for (const o of command.options) visit(o);
    index.set(command.name, entry);
  }
  return index;
}

const ALL_DISCORD_LOCALES = Object.values(DISCORD_LOCALES).flat();

describe('i18n: locales', () => {
  it('GIVEN Discord locales THEN each picks its bot locale, regions included, and anything else English', () => {
    const expected: [string | null | undefined, Locale][] = [
      ['fr', 'fr'],
      ['de', 'de'],
      ['es-ES', 'es'],
      ['es-419', 'es'],
      ['it', 'it'],
      ['pt-BR', 'pt-BR'],
      ['en-US', 'en'],
      ['en-GB', 'en'],
      ['FR', 'fr'],
      ['pt', 'pt-BR'],
      ['ja', 'en'],
      ['zh-TW', 'en'],
      ['', 'en'],
      [null, 'en'],
      [undefined, 'en'],
    ];
    assert.deepEqual(
      expected.map(([discord]) => [discord, pickLocale(discord)]),
      expected,
    );
  });

  it('GIVEN every Discord locale THEN the language its private texts use is the one its commands are registered in', () => {
    for (const discord of Object.values(DiscordLocale)) {
      const bot = pickLocale(discord);
      if (bot === 'en')
        assert.ok(!ALL_DISCORD_LOCALES.includes(discord), `${discord} is registered but reads English`);
      else
        assert.ok(
          DISCORD_LOCALES[bot].includes(discord),
          `${discord} reads ${bot} but its commands are not in ${bot}`,
        );
    }
  });

  it('GIVEN the registered Discord locales THEN each is one Discord knows and every bot locale but English has one', () => {
    const known = new Set<string>(Object.values(DiscordLocale));
    for (const discord of ALL_DISCORD_LOCALES)
      assert.ok(known.has(discord), `${discord} is not a Discord locale`);
    assert.deepEqual(Object.keys(DISCORD_LOCALES).sort(), [...TRANSLATIONS].sort());
    assert.equal(
      new Set(ALL_DISCORD_LOCALES).size,
      ALL_DISCORD_LOCALES.length,
      'a Discord locale is listed twice',
    );
  });
});

describe('i18n: every locale against English', () => {
  for (const locale of TRANSLATIONS) {
    it(`GIVEN ${locale} THEN it has exactly the English codes`, () => {
      const codes: string[] = Object.keys(MESSAGES[locale]);
      assert.deepEqual(
        CODES.filter((c) => !codes.includes(c)),
        [],
        'missing',
      );
      assert.deepEqual(
        codes.filter((c) => !(c in SOURCE_MESSAGES)),
        [],
        'not in English',
      );
    });

    it(`GIVEN ${locale} THEN every text has the English placeholders, selects (same options) and plurals (same exact cases)`, () => {
      const differing = codesOf(locale)
        .map((code) => [
          code,
          JSON.stringify(signature(textOf(locale, code) ?? '')),
          JSON.stringify(signature(SOURCE_MESSAGES[code])),
        ])
        .filter(([, mine, english]) => mine !== english)
        .map(([code, mine, english]) => `${code}: ${mine} vs English ${english}`);
      assert.deepEqual(differing, []);
    });

    it(`GIVEN ${locale} THEN every text keeps the English code spans, emoji, bold, subtext, lines, mentions and /commands (under its own command names)`, () => {
      const differing = codesOf(locale)
        .map((code) => [
          code,
          JSON.stringify(markup(textOf(locale, code) ?? '')),
          JSON.stringify(markup(withLocalCommandNames(locale, SOURCE_MESSAGES[code]))),
        ])
        .filter(([, mine, english]) => mine !== english)
        .map(([code, mine, english]) => `${code}: ${mine} vs English ${english}`);
      assert.deepEqual(differing, []);
    });
  }

  for (const locale of LOCALES) {
    it(`GIVEN ${locale} THEN every plural has exactly the categories its language's rules use`, () => {
      const categories = [...new Intl.PluralRules(locale).resolvedOptions().pluralCategories].sort();
      const wrong = codesOf(locale).flatMap((code) =>
        [...argumentsOf(textOf(locale, code) ?? '')]
          .filter(([, u]) => u.pluralCategories.size > 0)
          .filter(([, u]) => JSON.stringify([...u.pluralCategories].sort()) !== JSON.stringify(categories))
          .map(
            ([name, u]) =>
              `${code}.${name}: ${[...u.pluralCategories].join(',')} (needs ${categories.join(',')})`,
          ),
      );
      assert.deepEqual(wrong, []);
    });
  }
});

describe('i18n: formatting', () => {
  for (const locale of LOCALES) {
    it(`GIVEN ${locale} and every select branch and plural count THEN every text formats whole, within one message`, () => {
      const problems: string[] = [];
      for (const code of CODES) {
        for (const n of PLURAL_VALUES) {
          for (const params of paramSets(SOURCE_MESSAGES[code], n)) {
            let text: string;
            try {
              text = t(locale, code, params);
            } catch (error) {
              problems.push(`${code} ${JSON.stringify(params)}: ${String(error)}`);
              continue;
            }
            if (/[{}]|undefined|NaN|\[object/.test(text) || text.trim() === '' || text.length > 2000)
              problems.push(`${code} ${JSON.stringify(params)}: ${JSON.stringify(text)}`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  for (const locale of TRANSLATIONS) {
    it(`GIVEN ${locale} THEN every value English shows is shown too, in the same branches`, () => {
      const lost: string[] = [];
      for (const code of CODES) {
        for (const params of paramSets(SOURCE_MESSAGES[code])) {
          const english = t('en', code, params);
          const text = t(locale, code, params);
          for (const [i, value] of shownValues('en', params, SOURCE_MESSAGES[code]).entries()) {
            const shown = shownValues(locale, params, SOURCE_MESSAGES[code])[i] ?? value;
            if (english.includes(value) && !text.includes(shown))
              lost.push(`${code} ${JSON.stringify(params)}: ${shown} missing from ${JSON.stringify(text)}`);
          }
        }
      }
      assert.deepEqual(lost, []);
    });
  }

  it('GIVEN a large number THEN each locale groups its digits its own way, and a Spanish region its own', () => {
    const params = { used: 1_234_567, limit: 2_000_000, resetsAt: '<t:1:F>' };
    for (const locale of [...LOCALES, 'es-419', 'es-ES', 'en-GB']) {
      const grouped = new Intl.NumberFormat(locale).format(1_234_567);
      assert.ok(t(locale, 'budget_spent', params).includes(grouped), `${locale} should show ${grouped}`);
    }
    assert.notEqual(
      new Intl.NumberFormat('es-419').format(1_234_567),
      new Intl.NumberFormat('es-ES').format(1_234_567),
    );
  });

  it('GIVEN French or Brazilian Portuguese and 0 THEN the singular is used, as their grammar wants; German and English use the plural', () => {
    assert.match(t('fr', 'cooldown', { seconds: 0 }), /\b0 seconde\b(?!s)/);
    assert.match(t('pt-BR', 'cooldown', { seconds: 0 }), /\b0 segundo\b(?!s)/);
    assert.match(t('de', 'cooldown', { seconds: 0 }), /\b0 Sekunden\b/);
    assert.match(t('en', 'cooldown', { seconds: 0 }), /\b0 seconds\b/);
    assert.match(t('fr', 'cooldown', { seconds: 1_000_000 }), /1\u202f000\u202f000 de secondes/);
  });

  it('GIVEN a refusal THEN it renders in the member’s language at the edge and stays English in its message for logs', () => {
    const refusal = new UserError('cooldown', { seconds: 5 });
    refusal.ref = 'abc123';
    assert.equal(refusal.message, 'Please wait 5 seconds before your next question.');
    assert.equal(
      refusal.render('de'),
      'Bitte warte 5 Sekunden bis zu deiner nächsten Frage. (Ref. `abc123`)',
    );
    assert.equal(
      refusal.render('es-419'),
      'Espera 5 segundos antes de tu próxima pregunta, por favor. (ref. `abc123`)',
    );
    assert.match(failureMessage('pt-BR', 'r1'), /^Algo deu errado do meu lado; ficou registrado como `r1`\./);
  });

  it('GIVEN a locale the bot does not speak THEN the text is the English one', () => {
    assert.equal(t('ja', 'blank_prompt'), SOURCE_MESSAGES.blank_prompt);
    assert.equal(t('en-US', 'button_stop'), 'Stop');
  });

  it('GIVEN a translated text THEN it differs from English (nothing left untranslated by copy)', () => {
    // Texts that are the same word in a language (a name, a symbol) are listed here, each with why.
    const same: Readonly<Record<string, readonly MessageCode[]>> = {
      // "Conversation" is French too.
      fr: ['thread_name_default', 'with_ref'],
      de: [],
      es: [],
      it: [],
      'pt-BR': [],
    };
    for (const locale of TRANSLATIONS) {
      const untranslated = codesOf(locale).filter(
        (code) => textOf(locale, code) === SOURCE_MESSAGES[code] && !same[locale]?.includes(code),
      );
      assert.deepEqual(untranslated, [], locale);
    }
  });
});

describe('i18n: Discord limits', () => {
  it('GIVEN every command and option THEN each description is 1–100 characters in every locale and localized for every registered locale', () => {
    const problems: string[] = [];
    for (const { path, part } of everyCommandPart()) {
      if (part.description === undefined) continue;
      const texts = { en: part.description, ...part.description_localizations };
      for (const [locale, text] of Object.entries(texts))
        if (!text || text.length > 100) problems.push(`${path} (${locale}): ${text?.length ?? 0} chars`);
      assert.deepEqual(
        Object.keys(part.description_localizations ?? {}).sort(),
        [...ALL_DISCORD_LOCALES].sort(),
        path,
      );
    }
    assert.deepEqual(problems, []);
  });

  it('GIVEN every command name THEN slash, subcommand, option and choice names are localized for every registered locale, follow Discord’s pattern in lower case and are unique among siblings, and context-menu names are 1–32 characters, in every locale', () => {
    const problems: string[] = [];
    for (const { path, part, slash, choices } of everyCommandPart()) {
      const names = { en: part.name, ...part.name_localizations };
      for (const [locale, name] of Object.entries(names)) {
        if (!name) problems.push(`${path} (${locale}): empty`);
        else if (slash && (!SLASH_NAME.test(name) || name !== name.toLowerCase()))
          problems.push(`${path} (${locale}): ${name}`);
        else if (!slash && [...name].length > 32) problems.push(`${path} (${locale}): ${name.length} chars`);
      }
      for (const choice of choices)
        if (choice.name.length < 1 || choice.name.length > 100) problems.push(`${path} choice`);
    }
    assert.deepEqual(problems, []);
    // Every slash part is named in every registered locale, and no two siblings share a name in any.
    const unnamed = everyCommandPart()
      .filter(({ slash }) => slash)
      .flatMap(({ path, part, choices }) =>
        [part, ...choices].flatMap((p: { name: string; name_localizations?: unknown }) => {
          const keys = Object.keys((p.name_localizations as Record<string, string> | undefined) ?? {}).sort();
          return JSON.stringify(keys) === JSON.stringify([...ALL_DISCORD_LOCALES].sort())
            ? []
            : [`${path}${p === part ? '' : ` choice ${p.name}`}: ${keys.join(',')}`];
        }),
      );
    assert.deepEqual(unnamed, []);
    const clashes: string[] = [];
    const siblings = (path: string, parts: readonly Named[]) => {
      for (const locale of ['en', ...ALL_DISCORD_LOCALES]) {
        const names = parts.map((p) => (locale === 'en' ? p.name : p.name_localizations?.[locale]));
        if (new Set(names).size !== names.length) clashes.push(`${path} (${locale}): ${names.join(', ')}`);
      }
    };
    const slashCommands = commandDefinitions.filter(
      (c) => !('type' in c) || c.type === undefined || c.type === ApplicationCommandType.ChatInput,
    );
    siblings('(commands)', slashCommands);
    const visitOptions = (path: string, options: readonly APIApplicationCommandOption[] | undefined) => {
      if (!options) return;
      siblings(path, options);
      for (const o of options) if ('options' in o) visitOptions(`${path} ${o.name}`, o.options);
    };
    for (const c of slashCommands) if ('options' in c) visitOptions(c.name, c.options);
    assert.deepEqual(clashes, []);
    const menus = commandDefinitions.filter(
      (c) =>
        'type' in c && (c.type === ApplicationCommandType.Message || c.type === ApplicationCommandType.User),
    );
    assert.ok(menus.length > 0, 'no context-menu commands were checked');
    for (const menu of menus)
      assert.deepEqual(Object.keys(menu.name_localizations ?? {}).sort(), [...ALL_DISCORD_LOCALES].sort());
  });

  it('GIVEN the catalogue THEN texts that become commands, buttons and modals fit Discord’s limits in every locale', () => {
    const limit = (code: string): number | undefined => {
      if (code.startsWith('cmd_')) return 100;
      if (code.startsWith('ctx_')) return 32;
      // Button labels (button_not_yours is a refusal, not a label).
      if (['button_stop', 'button_regenerate', 'button_reasoning'].includes(code)) return 80;
      if (['modal_ask_title', 'modal_ask_question', 'modal_ask_visibility'].includes(code)) return 45;
      if (code.startsWith('modal_ask_') || code === 'thread_name_default') return 100;
      if (code === 'chart_description') return 1024;
      return undefined;
    };
    const problems = LOCALES.flatMap((locale) =>
      CODES.flatMap((code) => {
        const max = limit(code);
        if (max === undefined) return [];
        const longest = Math.max(
          ...paramSets(SOURCE_MESSAGES[code], 2).map((p) => [...t(locale, code, p)].length),
        );
        return longest > max ? [`${locale} ${code}: ${longest} > ${max}`] : [];
      }),
    );
    assert.deepEqual(problems, []);
  });

  it('GIVEN a text that names a command or option THEN that command, subcommand and option are registered under that name', () => {
    const index = slashIndex();
    const options = new Set([...index.values()].flatMap((c) => [...c.options]));
    const problems: string[] = [];
    for (const code of CODES) {
      const text = SOURCE_MESSAGES[code];
      const spans = (text.match(/`[^`]*`/g) ?? []).map((s) => s.slice(1, -1));
      const bare = [...text.replace(/`[^`]*`/g, '').matchAll(/(?:^|[\s(])(\/[a-z][a-z-]*)/g)].map(
        (m) => m[1] ?? '',
      );
      for (const ref of [...spans, ...bare]) {
        const command = /^\/([a-z-]+)(?: ([a-z-]+))?(?: ([a-z-]+):\S*)?$/.exec(ref);
        const option = /^([a-z][a-z-]*):\S*$/.exec(ref);
        if (command) {
          const [, name = '', second, third] = command;
          const entry = index.get(name);
          if (!entry) problems.push(`${code}: /${name} is not a command`);
          else if (
            second &&
            !entry.subcommands.has(second) &&
            !(third === undefined && entry.options.has(second))
          )
            problems.push(`${code}: /${name} has no ${second}`);
          else if (third && !entry.options.has(third))
            problems.push(`${code}: /${name} has no option ${third}`);
        } else if (option && !options.has(option[1] ?? '')) {
          problems.push(`${code}: no command has the option ${option[1]}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
