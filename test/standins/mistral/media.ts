/**
 * Images and documents in chat messages, as the Mistral stand-in reads them: it fetches http(s) URLs
 * (loopback only: tests never reach out) or decodes `data:` URLs, reads the real format and size from
 * the image header, and counts the prompt tokens they add.
 *
 * Token rules (the platform facts' figures):
 * - image: scaled down, keeping its aspect, to fit `cap × cap` (each side rounded down, at least 1 px),
 *   then one token per `patch × patch` tile: `ceil(w / patch) × ceil(h / patch)`; cap 1540 and patch 28
 *   (≈ 3,025 tokens at most), or cap 1024 and patch 16 for `pixtral-*` models.
 * - document: `ceil(bytes / charsPerToken)`, the document's byte length counted like text.
 * Limits: ≤ 8 images per request, ≤ 10 MB each, PNG, JPEG, WEBP or single-frame GIF.
 */
import { readImageInfo } from '../images.ts';
import type { ImageFormat } from '../images.ts';
import type { ChatMessage } from './tokens.ts';

export const MAX_IMAGES_PER_REQUEST = 8;
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 5_000;

/** One image the stand-in saw in a request. */
export interface SeenImage {
  /** The URL as sent, `data:` URLs cut to their header (`data:image/png;base64,…`). */
  readonly url: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly tokens: number;
}

/** One document the stand-in saw in a request. */
export interface SeenDocument {
  readonly url: string;
  readonly name: string | undefined;
  readonly bytes: number;
  readonly tokens: number;
}

/** Media chunks of a request before they are fetched. */
export interface MediaRefs {
  readonly images: readonly string[];
  readonly documents: ReadonlyArray<{ readonly url: string; readonly name: string | undefined }>;
}

/** A 400 the stand-in answers for media (message for the body). */
export class MediaError extends Error {
  override readonly name = 'MediaError';
}

/** Image tokens of a `width` × `height` image for `model` (see the module comment for the rule). */
export function imageTokens(width: number, height: number, model: string): number {
  const pixtral = model.startsWith('pixtral');
  const cap = pixtral ? 1_024 : 1_540;
  const patch = pixtral ? 16 : 28;
  const scale = Math.min(1, cap / Math.max(width, height));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  return Math.ceil(w / patch) * Math.ceil(h / patch);
}

/** Document tokens: the byte length counted like text. */
export function documentTokens(bytes: number, charsPerToken: number): number {
  return Math.ceil(bytes / charsPerToken);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The image and document URLs of the messages' content chunks, in order. */
export function mediaRefs(messages: readonly ChatMessage[]): MediaRefs {
  const images: string[] = [];
  const documents: Array<{ url: string; name: string | undefined }> = [];
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const chunk of m.content as unknown[]) {
      if (!isRecord(chunk)) continue;
      if (chunk['type'] === 'image_url') {
        const field = chunk['image_url'];
        const url = isRecord(field) ? field['url'] : field;
        if (typeof url === 'string') images.push(url);
      } else if (chunk['type'] === 'document_url' && typeof chunk['document_url'] === 'string') {
        const name = chunk['document_name'];
        documents.push({ url: chunk['document_url'], name: typeof name === 'string' ? name : undefined });
      }
    }
  }
  return { images, documents };
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function shortUrl(url: string): string {
  return url.startsWith('data:') ? `${url.slice(0, Math.max(url.indexOf(','), 0))},…` : url;
}

/** The bytes behind a media URL: decoded from `data:`, or fetched from a loopback http(s) server. */
export async function loadMedia(url: string, what: 'Image' | 'Document'): Promise<Buffer> {
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
    if (!match) throw new MediaError(`${what} data URL is malformed`);
    const [, mime = '', base64, payload = ''] = match;
    if (what === 'Image' && !mime.startsWith('image/'))
      throw new MediaError(`Image data URL has type ${mime || '(none)'}`);
    if (base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(payload))
      throw new MediaError(`${what} data URL is not valid base64`);
    const bytes = base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload));
    if (bytes.length > MAX_MEDIA_BYTES) throw new MediaError(`${what} is larger than 10 MB`);
    return bytes;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MediaError(`${what} URL is invalid: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new MediaError(`${what} URL scheme is not supported: ${url}`);
  if (!isLoopback(parsed.hostname)) {
    throw new MediaError(
      `${what} could not be downloaded from ${url} (the stand-in fetches loopback URLs only)`,
    );
  }
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new MediaError(`${what} could not be downloaded from ${url}: ${String(error)}`);
  }
  if (!response.ok)
    throw new MediaError(`${what} could not be downloaded from ${url} (status ${response.status})`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_MEDIA_BYTES) throw new MediaError(`${what} is larger than 10 MB`);
  return bytes;
}

/** Loads and measures every image and document; throws {@link MediaError} for the first bad one. */
export async function measureMedia(
  refs: MediaRefs,
  model: string,
  charsPerToken: number,
): Promise<{ images: SeenImage[]; documents: SeenDocument[] }> {
  const images: SeenImage[] = [];
  for (const url of refs.images) {
    const bytes = await loadMedia(url, 'Image');
    const info = readImageInfo(bytes);
    if (!info)
      throw new MediaError(`Image at ${shortUrl(url)} could not be read (not PNG, JPEG, WEBP or GIF)`);
    if (info.animated)
      throw new MediaError(
        `Image at ${shortUrl(url)} is an animated GIF; only single-frame GIFs are supported`,
      );
    images.push({
      url: shortUrl(url),
      format: info.format,
      width: info.width,
      height: info.height,
      bytes: bytes.length,
      tokens: imageTokens(info.width, info.height, model),
    });
  }
  const documents: SeenDocument[] = [];
  for (const doc of refs.documents) {
    const bytes = await loadMedia(doc.url, 'Document');
    documents.push({
      url: shortUrl(doc.url),
      name: doc.name,
      bytes: bytes.length,
      tokens: documentTokens(bytes.length, charsPerToken),
    });
  }
  return { images, documents };
}
