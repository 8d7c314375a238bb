/**
 * Model cards of the Mistral stand-in (`GET /v1/models`, `GET /v1/models/{id}`), in the shape the SDK's
 * `BaseModelCard` parses (`type: 'base'` is required or the SDK drops the card), with per-model
 * capabilities that decide what the chat endpoint accepts: images (`vision`), documents (`ocr`) and
 * `reasoning_effort` (`reasoning`, with the efforts each model takes).
 */

/** The capability flags of a card, as on the wire. */
export interface Capabilities {
  readonly completion_chat: boolean;
  readonly function_calling: boolean;
  readonly reasoning: boolean;
  readonly completion_fim: boolean;
  readonly fine_tuning: boolean;
  readonly vision: boolean;
  readonly ocr: boolean;
  readonly classification: boolean;
  readonly moderation: boolean;
  readonly audio: boolean;
  readonly audio_transcription: boolean;
  readonly audio_transcription_realtime: boolean;
  readonly audio_speech: boolean;
  readonly unified_resources: boolean;
}

/** What a test may set on a model's card; anything left out keeps the default for that name. */
export interface ModelCardOptions {
  readonly capabilities?: Partial<Capabilities>;
  readonly maxContextLength?: number;
  readonly aliases?: readonly string[];
  /** Efforts a reasoning model takes (default: all six); a valid effort outside this list is a 400. */
  readonly reasoningEfforts?: readonly string[];
  /** The effort used when a request sends none (`none` = no thinking). */
  readonly defaultReasoningEffort?: string;
  /** How the reasoning trace is sent: content chunks (current models) or literal `<think>` tags (older magistral). */
  readonly thinkingFormat?: 'chunks' | 'tags';
}

/** A card after defaults were applied. */
export interface ResolvedCard {
  readonly id: string;
  readonly capabilities: Capabilities;
  readonly maxContextLength: number;
  readonly aliases: readonly string[];
  readonly reasoningEfforts: readonly string[];
  readonly defaultReasoningEffort: string;
  readonly thinkingFormat: 'chunks' | 'tags';
}

/** Models the stand-in knows by default: a plausible free workspace. */
export const DEFAULT_KNOWN_MODELS: readonly string[] = Object.freeze([
  'mistral-small-latest',
  'mistral-small-2503',
  'mistral-medium-latest',
  'mistral-large-latest',
  'mistral-large-2411',
  'open-mistral-nemo',
  'open-mistral-7b',
  'codestral-latest',
  'ministral-8b-latest',
  'ministral-3b-latest',
  'pixtral-12b-2409',
]);

const ALL_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/**
 * The default card of a model name. Vision for pixtral, small and medium models; reasoning for magistral
 * (thinks unless told `none`) and for `mistral-small-latest`/`mistral-medium-latest` (Small 4 and Medium
 * take `none` or `high`, default `none`: no thinking unless asked); OCR (documents) for `mistral-ocr-*`
 * only. Tests turn any of these on or off with `modelCards`.
 */
export function defaultCard(id: string): ResolvedCard {
  const magistral = id.startsWith('magistral');
  const adjustable = id === 'mistral-small-latest' || id === 'mistral-medium-latest';
  return {
    id,
    capabilities: {
      completion_chat: !id.startsWith('mistral-ocr') && !id.startsWith('mistral-embed'),
      function_calling: !id.startsWith('mistral-ocr'),
      reasoning: magistral || adjustable,
      completion_fim: id.startsWith('codestral'),
      fine_tuning: false,
      vision:
        id.startsWith('pixtral') ||
        id.includes('small') ||
        id.includes('medium') ||
        id.startsWith('mistral-ocr'),
      ocr: id.startsWith('mistral-ocr'),
      classification: false,
      moderation: id.includes('moderation'),
      audio: id.startsWith('voxtral'),
      audio_transcription: id.startsWith('voxtral'),
      audio_transcription_realtime: false,
      audio_speech: false,
      unified_resources: false,
    },
    maxContextLength: 131_072,
    aliases: [],
    reasoningEfforts: magistral || adjustable ? ['none', 'high'] : ALL_EFFORTS,
    defaultReasoningEffort: magistral ? 'high' : 'none',
    thinkingFormat: 'chunks',
  };
}

/** The default card with a test's overrides applied. */
export function resolveCard(id: string, overrides: ModelCardOptions | undefined): ResolvedCard {
  const base = defaultCard(id);
  if (!overrides) return base;
  const capabilities = { ...base.capabilities, ...overrides.capabilities };
  return {
    id,
    capabilities,
    maxContextLength: overrides.maxContextLength ?? base.maxContextLength,
    aliases: overrides.aliases ?? base.aliases,
    reasoningEfforts:
      overrides.reasoningEfforts ??
      (overrides.capabilities?.reasoning === true && !base.capabilities.reasoning
        ? ALL_EFFORTS
        : base.reasoningEfforts),
    defaultReasoningEffort: overrides.defaultReasoningEffort ?? base.defaultReasoningEffort,
    thinkingFormat: overrides.thinkingFormat ?? base.thinkingFormat,
  };
}

/**
 * Why a model refuses a request with 400, or `undefined`: images without `vision`, more than
 * `maxImages`, documents without `ocr`, `reasoning_effort` without `reasoning` or outside the model's efforts.
 */
export function capabilityRefusal(
  card: ResolvedCard,
  request: { readonly model: string; readonly reasoning_effort?: string | null },
  images: number,
  documents: number,
  maxImages: number,
): string | undefined {
  if (images > 0 && !card.capabilities.vision) return `Model ${request.model} does not support image input`;
  if (images > maxImages) return `Too many images in request: ${images}; the maximum is ${maxImages}`;
  if (documents > 0 && !card.capabilities.ocr)
    return `Model ${request.model} does not support document input`;
  const effort = request.reasoning_effort;
  if (effort != null) {
    if (!card.capabilities.reasoning) return `reasoning_effort is not supported for model ${request.model}`;
    if (!card.reasoningEfforts.includes(effort)) {
      return `reasoning_effort='${effort}' is not supported for this model. Must be one of (${card.reasoningEfforts.join(', ')})`;
    }
  }
  return undefined;
}

/** A card in the wire shape of `BaseModelCard`. */
export function cardJson(card: ResolvedCard): Record<string, unknown> {
  return {
    id: card.id,
    object: 'model',
    created: 1_700_000_000,
    owned_by: 'mistralai',
    capabilities: card.capabilities,
    name: card.id,
    description: `Stand-in entry for ${card.id}`,
    max_context_length: card.maxContextLength,
    aliases: [...card.aliases],
    deprecation: null,
    deprecation_replacement_model: null,
    default_model_temperature: 0.3,
    type: 'base',
  };
}
