/** Public types of the Mistral stand-in: its options, the faults it can inject and what it records. */
import type { ModelLimits } from './limits.ts';
import type { SeenDocument, SeenImage } from './media.ts';
import type { ModelCardOptions } from './models.ts';
import type { ChatMessage, ChatRequest, WireUsage } from './tokens.ts';

/**
 * A failure the next accepted completion(s) will show instead of a normal answer.
 * - `rate-limit`: 429, with `Retry-After` when `retryAfterSeconds` is given; requests that arrive inside
 *   that wait are recorded as violations (and get 429 too).
 * - `server-error`: 500 (or the given status) with a JSON error body.
 * - `hang`: headers are never sent; the response stays open until the client aborts or `close()`.
 * - `garbage`: 200 whose body is not JSON (`not-json`, default), JSON of the wrong shape (`wrong-shape`),
 *   or an HTML page (`html`, wrong content type). Streams get the same inside `data:` lines.
 * - `break-stream`: writes `afterChunks` SSE events (the role chunk counts) and destroys the socket. On a
 *   non-stream request, 0 destroys the socket before any response and > 0 sends half the JSON body first.
 * - `no-usage`: the body (or the stream's last chunk) has no `usage`.
 * - `quota-exhausted`: 429 with `x-ratelimit-remaining-tokens-month: 0`; the model's month is marked spent
 *   (it stays spent until `reset()`), as when the quota ran out upstream.
 */
export type Fault =
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'server-error'; readonly status?: 500 | 502 | 503 }
  | { readonly kind: 'hang' }
  | { readonly kind: 'garbage'; readonly shape?: 'not-json' | 'wrong-shape' | 'html' }
  | { readonly kind: 'break-stream'; readonly afterChunks: number }
  | { readonly kind: 'no-usage' }
  | { readonly kind: 'quota-exhausted' };

/** What a stream had produced when the client closed it early. */
export interface PartialAnswer {
  /** Answer text written to the socket before the close. */
  readonly sentText: string;
  /** Reasoning text written before the close. */
  readonly sentThinking: string;
  /** Completion tokens due by the time of the close (the model had generated them), written or not. */
  readonly generatedTokens: number;
  /** What Mistral bills for the partial answer: the prompt plus `generatedTokens`. */
  readonly usage: WireUsage;
  /** Ms from arrival to the close. */
  readonly closedAfterMs: number;
}

/** What the stand-in saw and did, one entry per HTTP request (completions, model lists, 404s alike). */
export interface RecordedRequest {
  /** `performance.now()` when the request reached the handler: the arrival the limiter judges. */
  readonly at: number;
  readonly wallAt: number;
  readonly method: string;
  readonly path: string;
  model?: string;
  messages?: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** `reasoning_effort` as sent. */
  reasoningEffort?: string;
  stream: boolean;
  /** The status sent, or null while nothing has been sent (and forever for a hang). */
  status: number | null;
  /** Passed every limit (counts for pacing and windows). Faulted 5xx/hang/garbage requests count too. */
  accepted: boolean;
  fault?: Fault;
  /** Tokens charged to the model's windows (only for requests that produced an answer); a stream closed early is charged its partial. */
  usage?: WireUsage;
  /** Images in the request, measured (count = length). */
  images?: readonly SeenImage[];
  /** Documents in the request, measured. */
  documents?: readonly SeenDocument[];
  /** Reasoning tokens in the answer (part of `usage.completion_tokens`). */
  thinkingTokens?: number;
  /** The client closed the connection before the response ended (an abort or timeout on its side). */
  closedByClient: boolean;
  /** For a stream the client closed early: what had been generated and sent. */
  partial?: PartialAnswer;
  /** The parsed JSON body, or the raw text when it did not parse. */
  body: unknown;
}

/** Options of `startMistralStandIn`; each has a setter on the returned stand-in too. */
export interface MistralStandInOptions {
  /** Workspace-wide pace (default 1). A completion arriving < 1000/rps ms after the last accepted one is a 429 and a violation. */
  readonly requestsPerSecond?: number;
  /** Total time an answer takes from arrival (default 50 ms); a stream spreads its chunks evenly over it. */
  readonly latencyMs?: number | ((req: ChatRequest) => number);
  /** When the first stream chunk goes out, capped by the latency (default 100 ms). */
  readonly firstTokenMs?: number;
  /** The completion text (default `defaultAnswer`). */
  readonly answer?: (req: ChatRequest) => string;
  /** The reasoning trace of models that think for a request (default `defaultThinking`). */
  readonly thinking?: (req: ChatRequest) => string;
  /** How long a stream spends on the trace before the answer starts (default half the stream). */
  readonly thinkingMs?: number | ((req: ChatRequest) => number);
  /** Characters per token for text, documents and truncation (default 4; 2 makes Mistral count twice as many). */
  readonly charsPerToken?: number;
  /** Limits per model name. */
  readonly models?: Readonly<Record<string, ModelLimits>>;
  /** Limits for known models absent from `models` (default 500k tokens/min, 1B tokens/month). */
  readonly defaultModelLimits?: ModelLimits;
  /** Model names the API accepts and `GET /v1/models` lists; names in `models` and `modelCards` are known too. */
  readonly knownModels?: readonly string[];
  /** Card overrides per model: capabilities (vision, ocr, reasoning…), efforts, thinking format. */
  readonly modelCards?: Readonly<Record<string, ModelCardOptions>>;
  /** Send the older `ratelimitbysize-*` headers instead of `x-ratelimit-*`. */
  readonly legacyHeaders?: boolean;
  /** The bearer key every request must carry (default `test-key`). */
  readonly apiKey?: string;
}
