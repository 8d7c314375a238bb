import type { SettingsStore } from '../store/settings.ts';
import { DEFAULT_SYSTEM_PROMPT, type EffectiveSystemPrompt } from './system-prompt.ts';

/** How a channel answers: its model, system prompt and reasoning effort, with where each comes from. */
export interface ChannelProfile {
  readonly model: string;
  readonly modelSource: 'channel' | 'parent' | 'default';
  readonly systemPrompt: EffectiveSystemPrompt;
  /** For models that reason; absent = the model's default. */
  readonly reasoningEffort: string | undefined;
}

/**
 * A channel's profile: its own settings, else its parent's (a thread follows its channel), else
 * the defaults. The parent comes from the interaction or message payload, so threads the client
 * never cached (private threads, threads from before a restart) follow their channel too.
 */
export class ChannelProfiles {
  readonly #settings: SettingsStore;
  readonly #defaultModel: string;

  constructor(settings: SettingsStore, defaultModel: string) {
    this.#settings = settings;
    this.#defaultModel = defaultModel;
  }

  async profileFor(channelId: string, parentId: string | undefined): Promise<ChannelProfile> {
    const s = this.#settings;
    const [model, prompt, effort] = await Promise.all([
      inherited(channelId, parentId, (id) => s.channelModel(id)),
      inherited(channelId, parentId, (id) => s.channelSystemPrompt(id)),
      inherited(channelId, parentId, (id) => s.channelReasoningEffort(id)),
    ]);
    return {
      model: model.value ?? this.#defaultModel,
      modelSource: model.source,
      systemPrompt:
        prompt.value === undefined
          ? { text: DEFAULT_SYSTEM_PROMPT, source: 'default' }
          : { text: prompt.value, source: prompt.source === 'parent' ? 'parent' : 'channel' },
      reasoningEffort: effort.value,
    };
  }
}

async function inherited(
  channelId: string,
  parentId: string | undefined,
  read: (id: string) => Promise<string | undefined>,
): Promise<{ value: string | undefined; source: 'channel' | 'parent' | 'default' }> {
  const own = await read(channelId);
  if (own !== undefined) return { value: own, source: 'channel' };
  const parent = parentId ? await read(parentId) : undefined;
  if (parent !== undefined) return { value: parent, source: 'parent' };
  return { value: undefined, source: 'default' };
}
