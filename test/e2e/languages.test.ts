import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { answered, PERMS, seen, startHarness, type Harness } from './harness.ts';

/**
 * The member's language end to end: what the bot writes itself (refusals, notices, footers,
 * reports) follows the member's Discord language in private and the server's in public. The
 * expected texts are written out here in French and German, not taken from the catalogue, so a
 * missing or broken translation fails.
 */
describe('end to end: the bot speaks the member’s language', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ guildCount: 2, guildLocales: ['de', 'en-US'] });
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('GIVEN a member whose client is in French THEN a refusal is private and in French', async () => {
    const handle = h.run(1, { command: 'ask', locale: 'fr', options: { prompt: '   ' } });
    await handle.waitFor((x) => x.allMessages().length > 0);
    assert.ok(handle.allMessages().every((m) => m.ephemeral));
    assert.match(seen(handle), /^Ta question est vide/);
    // It names the option as the French client shows it.
    assert.ok(seen(handle).includes('`question:`'), seen(handle));
  });

  it('GIVEN a French member and a spent budget THEN the refusal is in French with French numbers', async () => {
    const g = h.guilds[1]!;
    const used = await h.bot.store.usage.monthTotal(g.guildId, new Date().toISOString().slice(0, 7));
    const set = h.run(1, {
      command: 'budget',
      subcommand: 'set',
      userId: h.discord.ownerId,
      options: { guild: g.guildId, tokens: 0 },
    });
    await set.waitFor((x) => x.allMessages().length > 0);
    const handle = h.run(1, { command: 'ask', locale: 'fr', options: { prompt: 'Bonjour ?' } });
    await handle.waitFor((x) => x.allMessages().length > 0);
    assert.ok(handle.allMessages().every((m) => m.ephemeral));
    // French groups thousands with a narrow no-break space and writes the budget "0".
    assert.match(seen(handle), new RegExp(`${String(used).replace(/\B(?=(\d{3})+(?!\d))/g, '\\s')} sur 0`));
    assert.match(seen(handle), /budget mensuel/);
    const clear = h.run(1, {
      command: 'budget',
      subcommand: 'clear',
      userId: h.discord.ownerId,
      options: { guild: g.guildId },
    });
    await clear.waitFor((x) => x.allMessages().length > 0);
  });

  it('GIVEN a server whose language is German THEN its public answer’s footer is in German, whatever the asker’s client says', async () => {
    h.mistral.setAnswer(() => 'word '.repeat(1_500));
    try {
      const handle = h.run(0, { command: 'ask', locale: 'fr', options: { prompt: 'Erzähl mir etwas' } });
      const germanFooter = /\n-# mistral-small-latest · [\d.]+ Tokens$/;
      await handle.waitFor((x) => germanFooter.test(x.allMessages().at(-1)?.content ?? ''), 15_000);
      assert.equal(handle.ephemeral, false);
      assert.equal(answered(handle), false, 'not the English footer');
      const footer = handle.allMessages().at(-1)?.content ?? '';
      // The answer reached its length limit: the note is German; the token count uses German digits.
      assert.match(footer, /Gekürzt: Die Antwort hat ihre Längengrenze erreicht/);
      assert.match(footer, /· \d{1,3}(\.\d{3})* Tokens$/);
    } finally {
      h.mistral.setAnswer(() => 'Kurz.');
    }
  });

  it('GIVEN a French manager THEN /usage is a French report with French dates and numbers', async () => {
    const handle = h.run(0, {
      command: 'usage',
      locale: 'fr',
      permissions: PERMS.member | PERMS.manageGuild,
    });
    await handle.waitFor((x) => x.allMessages().length > 0);
    const text = seen(handle);
    const month = new Intl.DateTimeFormat('fr', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(),
    );
    assert.ok(text.includes(month), `names the month in French (${month}): ${text}`);
    assert.match(text, /\*\*Par modèle\*\*|Par modèle/);
    assert.ok(handle.allMessages().every((m) => m.ephemeral));
  });

  it('GIVEN the registered commands THEN names and descriptions of commands, subcommands, options and context menus carry French, German, Spanish, Italian and Portuguese localizations', () => {
    const ask = h.discord.commands().find((c) => c.name === 'ask') as {
      description_localizations?: Record<string, string>;
    };
    for (const locale of ['fr', 'de', 'es-ES', 'es-419', 'it', 'pt-BR']) {
      assert.ok(ask.description_localizations?.[locale], `/ask has a ${locale} description`);
    }
    assert.notEqual(ask.description_localizations?.fr, ask.description_localizations?.de);
    const translate = h.discord.commands().find((c) => c.name === 'Translate to my language') as {
      name_localizations?: Record<string, string>;
    };
    assert.ok(
      translate.name_localizations?.fr && translate.name_localizations.fr !== 'Translate to my language',
    );
    // Slash commands, subcommands and options too (written out here, not taken from the catalogue).
    const model = h.discord.commands().find((c) => c.name === 'model') as {
      name_localizations?: Record<string, string>;
      options?: { name: string; name_localizations?: Record<string, string> }[];
    };
    assert.equal(model.name_localizations?.fr, 'modèle');
    assert.equal(model.name_localizations?.de, 'modell');
    assert.equal(model.options?.find((o) => o.name === 'set')?.name_localizations?.fr, 'définir');
    const askOptions = (ask as { options?: { name: string; name_localizations?: Record<string, string> }[] })
      .options;
    assert.equal(askOptions?.find((o) => o.name === 'prompt')?.name_localizations?.['pt-BR'], 'pergunta');
  });
});
