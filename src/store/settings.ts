import type Keyv from 'keyv';
import { UserError } from '../errors.ts';

/**
 * Per-server, per-member and per-channel choices, kept in Keyv (one namespace per concept, keyed
 * by snowflakes). Usage counters do not live here: Keyv has no atomic increment (see UsageLedger).
 *
 * Failures are never silent: a read that fails throws `store_unavailable` and a write that fails
 * throws `setting_not_saved` (both {@link UserError}s the member sees), instead of reading as
 * "missing" or pretending to have saved. A budget override of 0 is kept as 0 (it blocks questions).
 */
export interface SettingsStore {
  /** The model chosen for a channel, if any. */
  channelModel(channelId: string): Promise<string | undefined>;
  setChannelModel(channelId: string, model: string): Promise<void>;
  /** A channel's own system prompt, if a manager set one (threads look at their parent too). */
  channelSystemPrompt(channelId: string): Promise<string | undefined>;
  /** Sets a channel's system prompt; `undefined` clears it. */
  setChannelSystemPrompt(channelId: string, prompt: string | undefined): Promise<void>;
  /** A channel's reasoning effort for models that offer one, if a manager chose it. */
  channelReasoningEffort(channelId: string): Promise<string | undefined>;
  setChannelReasoningEffort(channelId: string, effort: string | undefined): Promise<void>;
  /** An operator's monthly token budget override for a server, if any. */
  budgetOverride(guildId: string): Promise<number | undefined>;
  setBudgetOverride(guildId: string, tokens: number | undefined): Promise<void>;
  /** A manager's cap for one member within the server's budget, if any. */
  memberBudget(guildId: string, userId: string): Promise<number | undefined>;
  setMemberBudget(guildId: string, userId: string, tokens: number | undefined): Promise<void>;
  /** Free-form bookkeeping (e.g. the hash of the registered command definitions). */
  meta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/** Opens the settings namespaces over one Keyv storage adapter (which must throw on errors). */
export function createSettingsStore(open: (namespace: string) => Keyv): SettingsStore {
  const channelModels = open('channel-model');
  const systemPrompts = open('system-prompt');
  const efforts = open('reasoning-effort');
  const budgets = open('budget');
  const memberBudgets = open('member-budget');
  const meta = open('meta');
  const read = async (keyv: Keyv, key: string): Promise<unknown> => {
    try {
      return (await keyv.get(key)) as unknown;
    } catch (error) {
      throw new UserError('store_unavailable', {}, { cause: error });
    }
  };
  const write = async (keyv: Keyv, key: string, value: unknown): Promise<void> => {
    try {
      if (value === undefined) await keyv.delete(key);
      else if ((await keyv.set(key, value)) === false) throw new Error('Keyv did not store the value');
    } catch (error) {
      throw new UserError('setting_not_saved', {}, { cause: error });
    }
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
  return {
    channelModel: async (channelId) => str(await read(channelModels, channelId)),
    setChannelModel: (channelId, model) => write(channelModels, channelId, model),
    channelSystemPrompt: async (channelId) => str(await read(systemPrompts, channelId)),
    setChannelSystemPrompt: (channelId, prompt) => write(systemPrompts, channelId, prompt),
    channelReasoningEffort: async (channelId) => str(await read(efforts, channelId)),
    setChannelReasoningEffort: (channelId, effort) => write(efforts, channelId, effort),
    budgetOverride: async (guildId) => num(await read(budgets, guildId)),
    setBudgetOverride: (guildId, tokens) => write(budgets, guildId, tokens),
    memberBudget: async (guildId, userId) => num(await read(memberBudgets, `${guildId}:${userId}`)),
    setMemberBudget: (guildId, userId, tokens) => write(memberBudgets, `${guildId}:${userId}`, tokens),
    meta: async (key) => str(await read(meta, key)),
    setMeta: (key, value) => write(meta, key, value),
  };
}
