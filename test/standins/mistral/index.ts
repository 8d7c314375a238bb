/**
 * A local stand-in for the Mistral chat API that enforces the free tier's limits strictly, so tests can
 * point the real `@mistralai/mistralai` SDK at it (`serverURL: standIn.url`) and check that the bot
 * paces, budgets and recovers the way it must against the real service. It listens on loopback only.
 *
 * Modules: stand-in (configuration, records, order of checks), respond (answers, streams, faults,
 * partial streams), wire (bodies and stream events), tokens (counting and planning), media (images and
 * documents), models (cards and capabilities), limits (per-model windows and headers), validate (422s).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MistralStandIn } from './stand-in.ts';
import type { MistralStandInOptions } from './types.ts';

export { MistralStandIn } from './stand-in.ts';
export { DEFAULT_MODEL_LIMITS } from './limits.ts';
export type { ModelLimits } from './limits.ts';
export { MAX_IMAGES_PER_REQUEST, documentTokens, imageTokens } from './media.ts';
export type { SeenDocument, SeenImage } from './media.ts';
export { DEFAULT_KNOWN_MODELS, defaultCard } from './models.ts';
export type { Capabilities, ModelCardOptions, ResolvedCard } from './models.ts';
export {
  DEFAULT_CHARS_PER_TOKEN,
  countCompletionTokens,
  countPromptTokens,
  countTextTokens,
  defaultAnswer,
  defaultThinking,
  messageText,
  planCompletion,
  truncateToTokens,
} from './tokens.ts';
export type { ChatMessage, ChatRequest, CompletionPlan, PlanOptions, WireUsage } from './tokens.ts';
export type { Fault, MistralStandInOptions, PartialAnswer, RecordedRequest } from './types.ts';
export { REASONING_EFFORTS } from './validate.ts';
export { RATE_LIMIT_BODY } from './wire.ts';

/**
 * Starts a stand-in on 127.0.0.1 with a random port. Close it with `close()` (tests: in `after`/`t.after`),
 * or the test runner will not exit.
 */
export async function startMistralStandIn(opts: MistralStandInOptions = {}): Promise<MistralStandIn> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const standIn = new MistralStandIn(server, `http://127.0.0.1:${port}`, opts);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => standIn.handle(req, res));
  return standIn;
}
