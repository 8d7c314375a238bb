/**
 * A scripted Mistral for tests of the ask core: the `stream` half of `MistralApi`, behaving like the
 * real adapter in src/mistral/client.ts. Each call plays the next script: raw `delta.content` values
 * (strings or content-chunk lists, split into text and reasoning by the real `ThinkingSplitter`) with
 * delays, then the usage it reports, or an `UpstreamError` (before any delta, or after some, with
 * what had arrived attached as `partial`). It honours `maxTokens` (cuts the answer and ends with
 * `length`) and the abort signal (throws `StreamStopped` with what had arrived).
 *
 * Its own token count is the truth tests compare against: `ceil(characters / charsPerToken)` per
 * message and per answer, like the Mistral stand-in's tokenizer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContentChunk } from '@mistralai/mistralai/models/components/contentchunk.js';
import {
  StreamStopped,
  ThinkingSplitter,
  type ChatRequest,
  type ChatResult,
  type MistralApi,
  type StreamDelta,
  type TokenUsage,
  type UpstreamError,
} from '../../src/mistral/client.ts';

/** One `delta.content` as Mistral streams it, sent `delayMs` after the previous one. */
export interface ScriptStep {
  readonly content: string | readonly ContentChunk[];
  readonly delayMs?: number;
}

/** What one upstream attempt does. */
export interface Script {
  readonly steps?: readonly ScriptStep[];
  /** Fails the attempt after `afterSteps` steps (0 = before any text). */
  readonly fail?: {
    readonly error: UpstreamError;
    readonly afterSteps?: number;
    /** The broken stream had reported its usage before it broke (on its last chunk). */
    readonly withUsage?: boolean;
  };
  /** `missing`: the stream ends normally but reports no usage (seen on rare streams). */
  readonly usage?: 'reported' | 'missing';
  /** After the steps, wait this long before finishing (a slow last chunk). */
  readonly tailMs?: number;
}

/** One call to `stream`, as the fake saw it. */
export interface StreamCall {
  readonly request: ChatRequest;
  readonly signal: AbortSignal | undefined;
  /** How it ended: the result, or what it threw. */
  outcome?:
    | { readonly kind: 'ok'; readonly result: ChatResult }
    | { readonly kind: 'threw'; readonly error: unknown };
  /** The usage this call reported (on success, or attached to a failure), as the truth for charges. */
  reported?: TokenUsage;
  /** What had arrived when it ended, whether reported or not: the truth for estimates. */
  content: string;
  reasoning: string;
}

export interface ScriptedMistralOptions {
  /** Characters per token of the fake's tokenizer (default 4; lower makes Mistral count more). */
  readonly charsPerToken?: number;
  /** Played when no script is queued: one delta of `OK, here is the answer.`. */
  readonly fallback?: Script | ((request: ChatRequest, call: number) => Script);
}

/** A text delta (a plain string, as most deltas are). */
export const text = (content: string, delayMs = 0): ScriptStep => ({ content, delayMs });

/** A list delta with one reasoning chunk; `closed` on the one that ends the trace. */
export function thinkingChunk(thinking: string, closed?: boolean): ContentChunk {
  return { type: 'thinking', thinking: [{ type: 'text', text: thinking }], ...(closed ? { closed } : {}) };
}

/** A list delta holding a text chunk. */
export function textChunk(value: string): ContentChunk {
  return { type: 'text', text: value };
}

export class ScriptedMistral implements Pick<MistralApi, 'stream'> {
  readonly calls: StreamCall[] = [];
  readonly #queue: Array<Script> = [];
  readonly #charsPerToken: number;
  readonly #fallback: Script | ((request: ChatRequest, call: number) => Script);

  constructor(options: ScriptedMistralOptions = {}) {
    this.#charsPerToken = options.charsPerToken ?? 4;
    this.#fallback = options.fallback ?? { steps: [text('OK, here is the answer.')] };
  }

  /** Queues scripts for the next calls, in order. */
  script(...scripts: Script[]): this {
    this.#queue.push(...scripts);
    return this;
  }

  /** Tokens the fake's tokenizer counts for a text. */
  tokensOf(value: string): number {
    return Math.ceil([...value].length / this.#charsPerToken);
  }

  /** What this fake reports as prompt tokens for a request: each message's text, counted. */
  promptTokensOf(request: ChatRequest): number {
    return request.messages.reduce((sum, m) => {
      const body =
        typeof m.content === 'string'
          ? m.content
          : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
      return sum + this.tokensOf(body);
    }, 0);
  }

  /** Sum of every usage the fake reported. */
  get reportedTotal(): number {
    return this.calls.reduce((sum, c) => sum + (c.reported?.totalTokens ?? 0), 0);
  }

  async stream(
    request: ChatRequest,
    onDelta: (delta: StreamDelta) => void,
    signal?: AbortSignal,
  ): Promise<ChatResult> {
    const call: StreamCall = { request, signal, content: '', reasoning: '' };
    this.calls.push(call);
    const script =
      this.#queue.shift() ??
      (typeof this.#fallback === 'function' ? this.#fallback(request, this.calls.length) : this.#fallback);
    const parts = new ThinkingSplitter();
    const usage = (): TokenUsage => {
      const promptTokens = this.promptTokensOf(request);
      const completionTokens = this.tokensOf(parts.text) + this.tokensOf(parts.thinking);
      return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
    };
    const partial = (reported: TokenUsage | undefined) => {
      call.content = parts.text;
      call.reasoning = parts.thinking;
      return { content: parts.text, reasoning: parts.thinking, usage: reported };
    };
    const end = <T>(outcome: NonNullable<StreamCall['outcome']>, value: T): T => {
      call.outcome = outcome;
      return value;
    };
    let truncated = false;
    try {
      signal?.throwIfAborted();
      const steps = script.steps ?? [];
      const failAt = script.fail ? (script.fail.afterSteps ?? 0) : Infinity;
      for (let i = 0; i <= steps.length; i++) {
        if (i === failAt && script.fail) {
          const reported = script.fail.withUsage ? usage() : undefined;
          if (reported) call.reported = reported;
          const error = Object.assign(script.fail.error, { partial: partial(reported) });
          throw error;
        }
        const step = steps[i];
        if (!step || truncated) continue;
        if (step.delayMs) await sleep(step.delayMs, undefined, { signal });
        signal?.throwIfAborted();
        const content = this.#clamp(step.content, parts, request.maxTokens);
        if (content !== step.content) truncated = true;
        const delta = parts.push(content);
        if (delta.text || delta.thinking) onDelta(delta);
      }
      if (script.tailMs) await sleep(script.tailMs, undefined, { signal });
      signal?.throwIfAborted();
    } catch (error) {
      if (signal?.aborted) {
        const stopped = new StreamStopped(partial(undefined));
        throw end({ kind: 'threw', error: stopped }, stopped);
      }
      throw end({ kind: 'threw', error }, error);
    }
    const reported = script.usage === 'missing' ? undefined : usage();
    if (reported) call.reported = reported;
    const result: ChatResult = { ...partial(reported), finishReason: truncated ? 'length' : 'stop' };
    return end({ kind: 'ok', result }, result);
  }

  /** Cuts a plain-text delta so the answer stays within `maxTokens`, as Mistral does. */
  #clamp(
    content: string | readonly ContentChunk[],
    parts: ThinkingSplitter,
    maxTokens: number,
  ): string | readonly ContentChunk[] {
    if (typeof content !== 'string') return content;
    const used = [...parts.text].length + [...parts.thinking].length;
    const room = maxTokens * this.#charsPerToken - used;
    const chars = [...content];
    return chars.length <= room ? content : chars.slice(0, Math.max(0, room)).join('');
  }
}
