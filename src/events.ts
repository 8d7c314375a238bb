import type { TokenUsage, UpstreamFailureKind } from './mistral/client.ts';
import type { RateLimitSnapshot } from './mistral/rate-limit-headers.ts';

/**
 * What happens inside the bot, for observers (metrics, alerts, logs) that must not be wired
 * into the code that does the work. Emitting never throws and never waits.
 */
export type BotEvent =
  /** A request joined the gate's queue. */
  | { readonly type: 'queued'; readonly guildId: string; readonly model: string; readonly waiting: number }
  /** The gate started an upstream attempt. */
  | {
      readonly type: 'started';
      readonly guildId: string;
      readonly model: string;
      readonly waitedMs: number;
      readonly attempt: number;
      readonly waiting: number;
    }
  /** One upstream attempt ended. */
  | {
      readonly type: 'attempt';
      readonly model: string;
      readonly outcome: 'ok' | UpstreamFailureKind;
      readonly ms: number;
    }
  /** A 429 paused the gate. */
  | { readonly type: 'paused'; readonly model: string; readonly waitMs: number; readonly stated: boolean }
  /** A response's rate-limit headers. */
  | { readonly type: 'limits'; readonly model: string; readonly limits: RateLimitSnapshot }
  /** A question was answered and its usage recorded. */
  | {
      readonly type: 'answered';
      readonly guildId: string;
      readonly userId: string;
      readonly model: string;
      readonly usage: TokenUsage;
      readonly estimated: boolean;
      readonly waitedMs: number;
      readonly totalMs: number;
    }
  /** Discord answered a REST call with 429 (each counts towards its invalid-request ban). */
  | { readonly type: 'discord_rate_limited' }
  /** A command was refused on purpose (the user was told why). */
  | {
      readonly type: 'refused';
      readonly guildId: string | null;
      readonly command: string;
      readonly code: string;
    }
  /** A command failed unexpectedly. */
  | { readonly type: 'failed'; readonly guildId: string | null; readonly command: string }
  /** A command's handler finished without error (answered, reported, set…). */
  | {
      readonly type: 'handled';
      readonly guildId: string | null;
      readonly command: string;
      readonly ms: number;
    };

export type BotEventListener = (event: BotEvent) => void;

/** A tiny synchronous event bus; a throwing listener is isolated from the emitter. */
export class BotEvents {
  readonly #listeners = new Set<BotEventListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  on(listener: BotEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: BotEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
