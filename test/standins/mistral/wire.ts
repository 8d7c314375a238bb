/**
 * What the Mistral stand-in writes: the completion body, the stream's events and their timing (with
 * the reasoning trace as thinking chunks or `<think>` tags), error bodies, garbage for the `garbage`
 * fault, and small response helpers.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { CompletionPlan } from './tokens.ts';

export type Headers = Record<string, string>;

/** The body of every 429, exactly as Mistral sends it. */
export const RATE_LIMIT_BODY = {
  object: 'error',
  message: 'Rate limit exceeded',
  type: 'rate_limited',
  code: '1300',
} as const;

/**
 * A 400 for a request the model cannot take (images on a non-vision model, documents without OCR, an
 * effort the model does not offer). The shape is the one Mistral answered for an unsupported
 * `reasoning_effort` in 2026 (`invalid_request_invalid_args`, code 3051); the messages are the stand-in's.
 */
export function invalidArgsBody(message: string): Record<string, unknown> {
  return {
    object: 'error',
    message,
    type: 'invalid_request_invalid_args',
    param: null,
    code: '3051',
    raw_status_code: 400,
  };
}

export function serverErrorBody(status: number): unknown {
  if (status === 500) {
    return { object: 'error', message: 'Internal server error', type: 'internal_server_error', code: '3000' };
  }
  if (status === 502) return { object: 'error', message: 'Bad gateway', type: 'bad_gateway', code: '3001' };
  return { object: 'error', message: 'Service unavailable', type: 'service_unavailable', code: '3002' };
}

export function unauthorizedBody(): unknown {
  return { message: 'Unauthorized', request_id: randomBytes(16).toString('hex') };
}

/** How the reasoning trace travels. */
export type ThinkingFormat = 'chunks' | 'tags';

/** `message.content` of a non-streamed answer. */
export function messageContent(plan: CompletionPlan, format: ThinkingFormat): unknown {
  if (plan.thinking === '') return plan.content;
  if (format === 'tags') return `<think>\n${plan.thinking}\n</think>\n\n${plan.content}`;
  return [
    { type: 'thinking', thinking: [{ type: 'text', text: plan.thinking }] },
    { type: 'text', text: plan.content },
  ];
}

/** One stream event and when it is due, with the text it adds to the trace or to the answer. */
export interface ScheduledEvent {
  readonly offsetMs: number;
  readonly event: Record<string, unknown>;
  readonly thinkingText: string;
  readonly answerText: string;
}

/** Timing of a stream: role chunk at `firstAt`, trace until `firstAt + thinkingMs`, answer until `latency`. */
export interface StreamTiming {
  readonly firstAt: number;
  readonly latency: number;
  readonly thinkingMs: number;
}

const words = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [''];

/**
 * The stream: a role chunk, then (when the model thinks) several deltas whose content is a list with a
 * thinking chunk, then one list holding the closing thinking chunk (`closed: true`) and the first text
 * chunk, then plain strings, one per word. In `tags` format the trace is plain strings inside `<think>`.
 * The last event carries `finish_reason` and (unless `withUsage` is false) `usage`.
 */
export function streamEvents(
  id: string,
  created: number,
  model: string,
  plan: CompletionPlan,
  withUsage: boolean,
  format: ThinkingFormat,
  timing: StreamTiming,
): ScheduledEvent[] {
  const chunk = (content: unknown, role?: string): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta: role ? { role, content } : { content }, finish_reason: null }],
  });
  const span = Math.max(0, timing.latency - timing.firstAt);
  const thinks = plan.thinking !== '';
  const thinkingSpan = thinks ? Math.min(timing.thinkingMs, span) : 0;
  const out: ScheduledEvent[] = [
    { offsetMs: timing.firstAt, event: chunk('', 'assistant'), thinkingText: '', answerText: '' },
  ];
  const spread = (
    pieces: ReadonlyArray<{ content: unknown; thinkingText: string; answerText: string }>,
    from: number,
    length: number,
  ): void => {
    pieces.forEach((piece, i) => {
      out.push({
        offsetMs: from + (length * (i + 1)) / pieces.length,
        event: chunk(piece.content),
        thinkingText: piece.thinkingText,
        answerText: piece.answerText,
      });
    });
  };
  const answerWords = words(plan.content);
  if (thinks && format === 'chunks') {
    spread(
      words(plan.thinking).map((w) => ({
        content: [{ type: 'thinking', thinking: [{ type: 'text', text: w }] }],
        thinkingText: w,
        answerText: '',
      })),
      timing.firstAt,
      thinkingSpan,
    );
    const [first = '', ...rest] = answerWords;
    spread(
      [
        {
          content: [
            { type: 'thinking', thinking: [], closed: true },
            { type: 'text', text: first },
          ],
          thinkingText: '',
          answerText: first,
        },
        ...rest.map((w) => ({ content: w, thinkingText: '', answerText: w })),
      ],
      timing.firstAt + thinkingSpan,
      span - thinkingSpan,
    );
  } else if (thinks) {
    spread(
      ['<think>\n', ...words(plan.thinking), '\n</think>\n\n'].map((w, i, all) => ({
        content: w,
        thinkingText: i === 0 || i === all.length - 1 ? '' : w,
        answerText: '',
      })),
      timing.firstAt,
      thinkingSpan,
    );
    spread(
      answerWords.map((w) => ({ content: w, thinkingText: '', answerText: w })),
      timing.firstAt + thinkingSpan,
      span - thinkingSpan,
    );
  } else {
    spread(
      answerWords.map((w) => ({ content: w, thinkingText: '', answerText: w })),
      timing.firstAt,
      span,
    );
  }
  const last = out.at(-1);
  if (last) {
    const choices = last.event['choices'] as Array<Record<string, unknown>>;
    const choice = choices[0];
    if (choice) choice['finish_reason'] = plan.finishReason;
    if (withUsage) last.event['usage'] = plan.usage;
  }
  return out;
}

export function sendGarbage(
  res: ServerResponse,
  shape: 'not-json' | 'wrong-shape' | 'html',
  stream: boolean,
  headers: Headers,
): void {
  if (shape === 'html') {
    res.writeHead(200, { 'content-type': 'text/html', ...headers });
    res.end('<html><body><h1>Gateway hiccup</h1></body></html>');
    return;
  }
  const text =
    shape === 'not-json' ? '{"id": "cmpl-garbage", "choices": [ <truncated>' : '{"result":"ok","items":[]}';
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    res.end(`data: ${text}\n\ndata: [DONE]\n\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Headers = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Writes and resolves once flushed, so a break right after cannot discard what was "sent". */
export function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    res.write(text, () => resolve());
  });
}
