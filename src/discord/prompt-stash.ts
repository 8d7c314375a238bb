import type Keyv from 'keyv';
import type { PromptPart } from '../ask/request.ts';

/** How long a message picked for "Ask Mistral" waits for the member's question in the modal. */
const STASH_TTL_MS = 15 * 60_000;

/**
 * The message a member picked with "Ask Mistral", kept until they submit the modal that asks for
 * their question. Discord gives a context-menu command its target message's content (no privileged
 * intent needed) but the modal submit carries only the modal's custom ID, and fetching the message
 * later would return it without content. Kept in the store (namespace `ask-about`), so it also
 * survives a restart between the two steps.
 */
export class PromptStash {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  async keep(id: string, quote: Extract<PromptPart, { kind: 'quote' }>): Promise<void> {
    await this.#keyv.set(id, quote, STASH_TTL_MS);
  }

  /** The kept message, once: taking it removes it. */
  async take(id: string): Promise<Extract<PromptPart, { kind: 'quote' }> | undefined> {
    const value: unknown = await this.#keyv.get(id);
    if (typeof value !== 'object' || value === null) return undefined;
    await this.#keyv.delete(id);
    const v = value as Partial<Extract<PromptPart, { kind: 'quote' }>>;
    if (v.kind !== 'quote' || typeof v.text !== 'string' || typeof v.author !== 'string') return undefined;
    return {
      kind: 'quote',
      author: v.author,
      text: v.text,
      attachments: Array.isArray(v.attachments) ? v.attachments : [],
    };
  }
}
