import type Keyv from 'keyv';
import { UserError } from '../errors.ts';
import { setBounded } from './bounded-map.ts';

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

/** Settings a cache keeps at most (found or known missing); beyond it the one cached first is dropped. */
export const SETTINGS_CACHE_ENTRIES = 10_000;

/** How {@link createSettingsStore} opens the settings. */
export interface SettingsStoreOptions {
  /**
   * True when this process is the store's only writer (a SQLite file, held by the process lock):
   * every read is then kept in memory, written through on every change, so a question reads its
   * settings without touching the store. Never for Redis, where other processes write too.
   */
  readonly soleWriter?: boolean;
}

/** Opens the settings namespaces over one Keyv storage adapter (which must throw on errors). */
export function createSettingsStore(
  open: (namespace: string) => Keyv,
  options: SettingsStoreOptions = {},
): SettingsStore {
  const channelModels = open('channel-model');
  const systemPrompts = open('system-prompt');
  const efforts = open('reasoning-effort');
  const budgets = open('budget');
  const memberBudgets = open('member-budget');
  const meta = open('meta');
  const cache = options.soleWriter ? new ReadCache() : undefined;
  const read = async (keyv: Keyv, key: string): Promise<unknown> => {
    const cached = cache?.get(keyv, key);
    if (cached) return cached.value;
    const generation = cache?.generation;
    let value: unknown;
    try {
      value = (await keyv.get(key)) as unknown;
    } catch (error) {
      throw new UserError('store_unavailable', {}, { cause: error });
    }
    // A write that landed while this read was under way may be newer than what it read.
    if (cache?.generation === generation) cache?.set(keyv, key, value);
    return value;
  };
  const write = async (keyv: Keyv, key: string, value: unknown): Promise<void> => {
    cache?.forget(keyv, key);
    try {
      if (value === undefined) await keyv.delete(key);
      else if ((await keyv.set(key, value)) === false) throw new Error('Keyv did not store the value');
    } catch (error) {
      throw new UserError('setting_not_saved', {}, { cause: error });
    }
    cache?.set(keyv, key, value);
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

/**
 * What the settings last read or wrote, per namespace and key (`undefined` = known to be missing).
 * `generation` moves on every write, so a read that raced a write does not cache what it read.
 */
class ReadCache {
  readonly #entries = new Map<string, { readonly value: unknown }>();
  generation = 0;

  get(keyv: Keyv, key: string): { readonly value: unknown } | undefined {
    return this.#entries.get(`${keyv.namespace ?? ''}:${key}`);
  }

  set(keyv: Keyv, key: string, value: unknown): void {
    setBounded(this.#entries, `${keyv.namespace ?? ''}:${key}`, { value }, SETTINGS_CACHE_ENTRIES);
  }

  forget(keyv: Keyv, key: string): void {
    this.generation++;
    this.#entries.delete(`${keyv.namespace ?? ''}:${key}`);
  }
}
