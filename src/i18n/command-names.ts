import type { Locale } from './catalogue.ts';

type Translated = Exclude<Locale, 'en'>;

/**
 * Every name of the slash commands members type — commands, subcommands, options and fixed
 * choices — in each bot locale but English, keyed by its English name (the name Discord routes by
 * and sends back whatever the member's language). Discord shows members the name of their locale;
 * the catalogue's texts name commands the same way (`/modèle définir` in French), and a test holds
 * the two together. Names follow Discord's rule for command names: lowercase, 1–32 letters, digits,
 * `-` or `_`, unique among their siblings in every locale.
 */
export const COMMAND_NAMES: Readonly<Record<string, Readonly<Record<Translated, string>>>> = {
  // commands
  ask: { fr: 'demander', de: 'fragen', es: 'preguntar', it: 'chiedi', 'pt-BR': 'perguntar' },
  model: { fr: 'modèle', de: 'modell', es: 'modelo', it: 'modello', 'pt-BR': 'modelo' },
  usage: { fr: 'consommation', de: 'verbrauch', es: 'consumo', it: 'consumo', 'pt-BR': 'consumo' },
  budget: { fr: 'budget', de: 'budget', es: 'presupuesto', it: 'budget', 'pt-BR': 'orçamento' },
  forget: { fr: 'oublier', de: 'vergessen', es: 'olvidar', it: 'dimentica', 'pt-BR': 'esquecer' },
  'system-prompt': {
    fr: 'prompt-système',
    de: 'system-prompt',
    es: 'prompt-del-sistema',
    it: 'prompt-di-sistema',
    'pt-BR': 'prompt-do-sistema',
  },
  // subcommands
  set: { fr: 'définir', de: 'festlegen', es: 'establecer', it: 'imposta', 'pt-BR': 'definir' },
  show: { fr: 'afficher', de: 'anzeigen', es: 'mostrar', it: 'mostra', 'pt-BR': 'mostrar' },
  list: { fr: 'liste', de: 'liste', es: 'lista', it: 'elenco', 'pt-BR': 'lista' },
  clear: { fr: 'effacer', de: 'zurücksetzen', es: 'borrar', it: 'cancella', 'pt-BR': 'limpar' },
  member: { fr: 'membre', de: 'mitglied', es: 'miembro', it: 'membro', 'pt-BR': 'membro' },
  // options
  prompt: { fr: 'question', de: 'frage', es: 'pregunta', it: 'domanda', 'pt-BR': 'pergunta' },
  attachment: { fr: 'fichier', de: 'anhang', es: 'adjunto', it: 'allegato', 'pt-BR': 'anexo' },
  thread: { fr: 'fil', de: 'thread', es: 'hilo', it: 'thread', 'pt-BR': 'tópico' },
  private: { fr: 'privé', de: 'privat', es: 'privado', it: 'privato', 'pt-BR': 'privado' },
  reasoning: {
    fr: 'raisonnement',
    de: 'nachdenken',
    es: 'razonamiento',
    it: 'ragionamento',
    'pt-BR': 'raciocínio',
  },
  guild: { fr: 'serveur', de: 'server', es: 'servidor', it: 'server', 'pt-BR': 'servidor' },
  tokens: { fr: 'tokens', de: 'tokens', es: 'tokens', it: 'token', 'pt-BR': 'tokens' },
  user: { fr: 'utilisateur', de: 'nutzer', es: 'usuario', it: 'utente', 'pt-BR': 'usuário' },
  text: { fr: 'texte', de: 'text', es: 'texto', it: 'testo', 'pt-BR': 'texto' },
  'alerts-channel': {
    fr: 'salon-alertes',
    de: 'alarm-kanal',
    es: 'canal-de-alertas',
    it: 'canale-avvisi',
    'pt-BR': 'canal-de-alertas',
  },
  alerts: { fr: 'alertes', de: 'alarme', es: 'alertas', it: 'avvisi', 'pt-BR': 'alertas' },
  // fixed choices
  off: { fr: 'désactivées', de: 'aus', es: 'desactivadas', it: 'disattivati', 'pt-BR': 'desativados' },
};

/** A slash command's, subcommand's, option's or choice's name in `locale` (English: itself). */
export function commandName(locale: Locale, name: string): string {
  if (locale === 'en') return name;
  const names = COMMAND_NAMES[name];
  if (!names)
    throw new Error(`no localized names for the command name "${name}" (src/i18n/command-names.ts)`);
  return names[locale];
}
