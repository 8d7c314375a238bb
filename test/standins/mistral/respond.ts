/**
 * Answering an accepted completion: the injected fault if any, else the JSON body after `latency`, or a
 * stream whose chunks are spread evenly from `firstTokenMs` to `latency` (an "8 s stream" is
 * `latencyMs: 8000`). When the client closes a stream early, the record gets a `partial` (what had been
 * generated and written) and the request is re-billed to that partial usage.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { countTextTokens } from './tokens.ts';
import type { CompletionPlan, WireUsage } from './tokens.ts';
import type { Fault, RecordedRequest } from './types.ts';
import { messageContent, sendGarbage, sendJson, serverErrorBody, streamEvents, write } from './wire.ts';
import type { Headers, ScheduledEvent, ThinkingFormat } from './wire.ts';

export interface RespondInput {
  readonly res: ServerResponse;
  readonly record: RecordedRequest;
  readonly plan: CompletionPlan;
  readonly fault: Fault | undefined;
  /** Aborted when the client closes the connection or the stand-in closes. */
  readonly signal: AbortSignal;
  readonly headers: Headers;
  readonly model: string;
  readonly format: ThinkingFormat;
  readonly charsPerToken: number;
  readonly timing: {
    readonly latency: number;
    readonly firstTokenMs: number;
    readonly thinkingMs: number | undefined;
  };
  readonly breakConnection: () => void;
  /** Re-bills the request (windows and record) to what a stream closed early had generated. */
  readonly rebill: (usage: WireUsage) => void;
}

function partialOf(input: RespondInput, events: readonly ScheduledEvent[], sent: number): void {
  const elapsed = performance.now() - input.record.at;
  const due = events.filter((e) => e.offsetMs <= elapsed);
  const written = events.slice(0, sent);
  const join = (list: readonly ScheduledEvent[], key: 'thinkingText' | 'answerText'): string =>
    list.map((e) => e[key]).join('');
  const cpt = input.charsPerToken;
  const generatedTokens =
    countTextTokens(join(due, 'thinkingText'), cpt) + countTextTokens(join(due, 'answerText'), cpt);
  const prompt = input.plan.usage.prompt_tokens;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: generatedTokens,
    total_tokens: prompt + generatedTokens,
  };
  input.record.partial = {
    sentText: join(written, 'answerText'),
    sentThinking: join(written, 'thinkingText'),
    generatedTokens,
    usage,
    closedAfterMs: elapsed,
  };
  if (input.record.usage) input.rebill(usage);
}

/** Sends the answer (or the fault) of an accepted completion. */
export async function respond(input: RespondInput): Promise<void> {
  const { res, record, plan, fault, signal, headers } = input;
  const { latency } = input.timing;
  const until = async (offsetMs: number): Promise<boolean> => {
    const wait = record.at + offsetMs - performance.now();
    try {
      if (wait > 0) await sleep(wait, undefined, { signal });
    } catch {
      return false;
    }
    return !signal.aborted;
  };
  const send = (status: number, payload: unknown): void => {
    record.status = status;
    sendJson(res, status, payload, headers);
  };

  switch (fault?.kind) {
    case 'server-error': {
      const status = fault.status ?? 500;
      send(status, serverErrorBody(status));
      return;
    }
    case 'hang':
      // Never answer; the stand-in's 'close' listener frees it when the client gives up or close() runs.
      return;
    case 'garbage':
      if (!(await until(latency))) return;
      record.status = 200;
      sendGarbage(res, fault.shape ?? 'not-json', record.stream, headers);
      return;
    default:
      break;
  }

  const id = randomBytes(16).toString('hex');
  const created = Math.floor(Date.now() / 1000);
  const withUsage = fault?.kind !== 'no-usage';
  const breakAfter = fault?.kind === 'break-stream' ? fault.afterChunks : undefined;

  if (record.stream) {
    const firstAt = Math.min(input.timing.firstTokenMs, latency);
    const events = streamEvents(id, created, input.model, plan, withUsage, input.format, {
      firstAt,
      latency,
      thinkingMs: input.timing.thinkingMs ?? (latency - firstAt) / 2,
    });
    if (!(await until(firstAt))) return;
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    res.flushHeaders();
    for (let i = 0; i < events.length; i++) {
      if (breakAfter !== undefined && i >= breakAfter) {
        input.breakConnection();
        return;
      }
      const scheduled = events[i];
      if (!scheduled) break;
      if (!(await until(scheduled.offsetMs))) {
        if (record.closedByClient) partialOf(input, events, i);
        return;
      }
      await write(res, `data: ${JSON.stringify(scheduled.event)}\n\n`);
    }
    if (breakAfter !== undefined) {
      input.breakConnection();
      return;
    }
    res.end('data: [DONE]\n\n');
    return;
  }

  if (!(await until(latency))) return;
  const payload: Record<string, unknown> = {
    id,
    object: 'chat.completion',
    model: input.model,
    created,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: messageContent(plan, input.format),
          tool_calls: null,
          prefix: false,
        },
        finish_reason: plan.finishReason,
      },
    ],
  };
  if (withUsage) payload['usage'] = plan.usage;
  if (breakAfter !== undefined) {
    if (breakAfter <= 0) {
      input.breakConnection();
      return;
    }
    const text = JSON.stringify(payload);
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    await write(res, text.slice(0, Math.floor(text.length / 2)));
    input.breakConnection();
    return;
  }
  send(200, payload);
}
