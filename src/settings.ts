import type Keyv from 'keyv';

/**
 * Per-server and per-channel choices, kept in Keyv (one namespace per concept, keyed by
 * snowflake). Usage counters do not live here: Keyv has no atomic increment (see UsageLedger).
 */
export interface SettingsStore {
  /** The model chosen for a channel, if any. */
  channelModel(channelId: string): Promise<string | undefined>;
  setChannelModel(channelId: string, model: string): Promise<void>;
  /** A channel's own system prompt, if a manager set one (threads look at their parent too). */
  channelSystemPrompt(channelId: string): Promise<string | undefined>;
  /** Sets a channel's system prompt; `undefined` clears it. */
  setChannelSystemPrompt(channelId: string, prompt: string | undefined): Promise<void>;
  /** An operator's monthly token budget override for a server, if any. */
  budgetOverride(guildId: string): Promise<number | undefined>;
  setBudgetOverride(guildId: string, tokens: number | undefined): Promise<void>;
  /** Free-form bookkeeping (e.g. the hash of the registered command definitions). */
  meta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/** Opens the settings namespaces over one Keyv storage adapter. */
export function createSettingsStore(open: (namespace: string) => Keyv): SettingsStore {
  const channelModels = open('channel-model');
  const systemPrompts = open('system-prompt');
  const budgets = open('budget');
  const meta = open('meta');
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    async channelModel(channelId) {
      return str(await channelModels.get(channelId));
    },
    async setChannelModel(channelId, model) {
      await channelModels.set(channelId, model);
    },
    async channelSystemPrompt(channelId) {
      return str(await systemPrompts.get(channelId));
    },
    async setChannelSystemPrompt(channelId, prompt) {
      if (prompt === undefined) await systemPrompts.delete(channelId);
      else await systemPrompts.set(channelId, prompt);
    },
    async budgetOverride(guildId) {
      const v: unknown = await budgets.get(guildId);
      return typeof v === 'number' ? v : undefined;
    },
    async setBudgetOverride(guildId, tokens) {
      if (tokens === undefined) await budgets.delete(guildId);
      else await budgets.set(guildId, tokens);
    },
    async meta(key) {
      return str(await meta.get(key));
    },
    async setMeta(key, value) {
      await meta.set(key, value);
    },
  };
}
