/**
 * Request validation of the Mistral stand-in, as Mistral's FastAPI layer answers it: 422 with
 * pydantic-style `detail` entries for unknown fields, missing or mistyped fields, blank messages,
 * unknown content chunk types and `reasoning_effort` values outside the API's enum.
 */
import { messageText } from './tokens.ts';

/** Fields Mistral's chat endpoint accepts (the SDK 2.7 request schema); anything else is a 422. */
const ALLOWED_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'metadata',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'reasoning_effort',
  'prompt_mode',
  'guardrails',
  'prompt_cache_key',
  'service_tier',
  'safe_prompt',
]);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The API's `reasoning_effort` values; others are a 422. */
export const REASONING_EFFORTS: readonly string[] = Object.freeze([
  'none',
  'minimal',
  'low',
  'medium',
  'high',
  'xhigh',
]);
const CHUNK_TYPES = new Set([
  'text',
  'image_url',
  'document_url',
  'input_audio',
  'reference',
  'file',
  'thinking',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One pydantic-style entry of a 422's `detail`. */
export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** Checks a body the way Mistral's FastAPI layer does; returns pydantic-style details, empty when valid. */
export function validate(body: unknown): ValidationDetail[] {
  if (!isRecord(body)) {
    return [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be an object', input: body }];
  }
  const details: ValidationDetail[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!ALLOWED_FIELDS.has(key)) {
      details.push({
        type: 'extra_forbidden',
        loc: ['body', key],
        msg: 'Extra inputs are not permitted',
        input: value,
      });
    }
  }
  const model = body['model'];
  if (model === undefined) details.push({ type: 'missing', loc: ['body', 'model'], msg: 'Field required' });
  else if (typeof model !== 'string') {
    details.push({
      type: 'string_type',
      loc: ['body', 'model'],
      msg: 'Input should be a valid string',
      input: model,
    });
  }
  const messages = body['messages'];
  if (messages === undefined) {
    details.push({ type: 'missing', loc: ['body', 'messages'], msg: 'Field required' });
  } else if (!Array.isArray(messages)) {
    details.push({
      type: 'list_type',
      loc: ['body', 'messages'],
      msg: 'Input should be a valid list',
      input: messages,
    });
  } else if (messages.length === 0) {
    details.push({
      type: 'too_short',
      loc: ['body', 'messages'],
      msg: 'List should have at least 1 item after validation, not 0',
      input: messages,
    });
  } else {
    messages.forEach((m: unknown, i) => {
      if (!isRecord(m) || typeof m['role'] !== 'string' || !ROLES.has(m['role'])) {
        details.push({
          type: 'union_tag_invalid',
          loc: ['body', 'messages', i],
          msg: "Input tag does not match any of the expected tags: 'system', 'user', 'assistant', 'tool'",
          input: m,
        });
        return;
      }
      const content: unknown = m['content'];
      if (Array.isArray(content)) {
        content.forEach((chunk: unknown, c) => {
          const type = isRecord(chunk) ? chunk['type'] : undefined;
          if (typeof type !== 'string' || !CHUNK_TYPES.has(type)) {
            details.push({
              type: 'union_tag_invalid',
              loc: ['body', 'messages', i, 'content', c],
              msg: `Input tag '${String(type)}' found using 'type' does not match any of the expected tags`,
              input: chunk,
            });
            return;
          }
          const field = isRecord(chunk) ? chunk[type] : undefined;
          const url = isRecord(field) ? field['url'] : field;
          if ((type === 'image_url' || type === 'document_url') && typeof url !== 'string') {
            details.push({
              type: 'string_type',
              loc: ['body', 'messages', i, 'content', c, type],
              msg: 'Input should be a valid string',
              input: field,
            });
          }
        });
      }
      const hasMedia =
        Array.isArray(content) &&
        content.some(
          (chunk: unknown) =>
            isRecord(chunk) && (chunk['type'] === 'image_url' || chunk['type'] === 'document_url'),
        );
      const blankAllowed =
        hasMedia || (m['role'] === 'assistant' && (m['tool_calls'] != null || m['prefix'] === true));
      if (!blankAllowed && messageText(m['content']).trim() === '') {
        details.push({
          type: 'value_error',
          loc: ['body', 'messages', i, 'content'],
          msg: 'Value error, message content must not be blank',
          input: m['content'],
        });
      }
    });
  }
  const maxTokens = body['max_tokens'];
  if (maxTokens != null && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 0)) {
    details.push({
      type: 'int_type',
      loc: ['body', 'max_tokens'],
      msg: 'Input should be a valid non-negative integer',
      input: maxTokens,
    });
  }
  const temperature = body['temperature'];
  if (temperature != null && typeof temperature !== 'number') {
    details.push({
      type: 'float_type',
      loc: ['body', 'temperature'],
      msg: 'Input should be a valid number',
      input: temperature,
    });
  }
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') {
    details.push({
      type: 'bool_type',
      loc: ['body', 'stream'],
      msg: 'Input should be a valid boolean',
      input: stream,
    });
  }
  const effort = body['reasoning_effort'];
  if (effort != null && (typeof effort !== 'string' || !REASONING_EFFORTS.includes(effort))) {
    details.push({
      type: 'enum',
      loc: ['body', 'reasoning_effort'],
      msg: "Input should be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'",
      input: effort,
    });
  }
  return details;
}
