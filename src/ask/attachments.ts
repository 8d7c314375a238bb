import { estimateTokens } from '../budget/estimate.ts';
import { UserError } from '../errors.ts';
import type { Attachment, PromptPart } from './request.ts';

/** Images Mistral takes in one request. */
export const MAX_IMAGES = 8;
/** Bytes Mistral takes per image (10 MiB); also the most any attachment is downloaded. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** `MAX_ATTACHMENT_TOKENS`' default: about 36 kB of English text or code. */
export const DEFAULT_MAX_ATTACHMENT_TOKENS = 32_000;
/** Default longest wait for one attachment's download. */
export const FETCH_TIMEOUT_MS = 15_000;
/**
 * PDFs are estimated like ASCII text: a token per 3 bytes. Mistral publishes no rule for what a
 * document costs; counting its bytes keeps the hold on the safe side of the stand-in's rule (a
 * token per 4 bytes), and for real PDFs (compressed, mostly not text) far above it.
 */
const PDF_BYTES_PER_TOKEN = 3;
/** A text file costs at least a token per 4 bytes (one per character, 4 bytes at most each): sizes above that bound are refused unread. */
const TEXT_BYTES_PER_TOKEN_MAX = 4;

/** Formats Mistral's vision models read. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** What an image's header says. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** More than one frame (an animated GIF or WEBP): Mistral takes single-frame images only. */
  readonly animated: boolean;
}

/** What a file's bytes are, whatever its name and content type say. */
export type Sniffed =
  | { readonly kind: 'image'; readonly image: ImageHeader }
  | { readonly kind: 'pdf' }
  | { readonly kind: 'text'; readonly text: string }
  /** Not something a model can read; `format` names it when its magic number is known. */
  | { readonly kind: 'binary'; readonly format: string | undefined };

/** An attachment and where it sits in the request (its part; `inQuote` for a quoted message's file). */
export interface LocatedAttachment {
  readonly attachment: Attachment;
  readonly partIndex: number;
  readonly inQuote: boolean;
}

/** An attachment read and judged, ready to become prompt content. */
export type ReadAttachment = LocatedAttachment &
  (
    | {
        readonly kind: 'image';
        /** From the file's header: what the estimate and the note use. */
        readonly image: ImageHeader;
        /** Discord's width and height, when they differ from the header's (logged; the header wins). */
        readonly discordSize?: { readonly width: number; readonly height: number };
        readonly bytes: number;
        /** `data:` URL of the bytes that were checked. */
        readonly dataUrl: string;
      }
    | { readonly kind: 'text'; readonly text: string; readonly bytes: number; readonly tokens: number }
    | { readonly kind: 'pdf'; readonly bytes: number; readonly dataUrl: string; readonly tokens: number }
  );

/** Every attachment of a request, in order: the member's own files and those of quoted messages. */
export function attachmentsOf(parts: readonly PromptPart[]): LocatedAttachment[] {
  return parts.flatMap((part, partIndex): LocatedAttachment[] => {
    if (part.kind === 'attachment') return [{ attachment: part.attachment, partIndex, inQuote: false }];
    if (part.kind === 'quote')
      return part.attachments.map((attachment) => ({ attachment, partIndex, inQuote: true }));
    return [];
  });
}

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jfif', 'webp', 'gif']);
/** Other image formats members attach (phones, scanners): named in the refusal. */
const OTHER_IMAGE_EXTENSIONS = new Set(['heic', 'heif', 'avif', 'bmp', 'tif', 'tiff', 'ico']);

/**
 * Code and text formats by extension, for the fence's language and the text-or-not guess. The
 * bytes decide in the end (a file that decodes as UTF-8 text is text, whatever it is called).
 */
const TEXT_LANGUAGES: Readonly<Record<string, string>> = {
  txt: 'text',
  text: 'text',
  md: 'markdown',
  markdown: 'markdown',
  log: 'text',
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
  jsonl: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  ini: 'ini',
  cfg: 'ini',
  conf: 'text',
  env: 'text',
  xml: 'xml',
  html: 'html',
  htm: 'html',
  css: 'css',
  scss: 'scss',
  svg: 'xml',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  ts: 'typescript',
  tsx: 'tsx',
  py: 'python',
  rb: 'ruby',
  php: 'php',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  scala: 'scala',
  go: 'go',
  rs: 'rust',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  swift: 'swift',
  m: 'objectivec',
  lua: 'lua',
  r: 'r',
  pl: 'perl',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  ps1: 'powershell',
  bat: 'batch',
  sql: 'sql',
  graphql: 'graphql',
  proto: 'protobuf',
  dockerfile: 'dockerfile',
  makefile: 'makefile',
  tex: 'latex',
  rst: 'rst',
  diff: 'diff',
  patch: 'diff',
  srt: 'text',
  vtt: 'text',
};

function extensionOf(name: string): string {
  const base = name.toLowerCase().split('/').at(-1) ?? '';
  const dot = base.lastIndexOf('.');
  return dot >= 0 ? base.slice(dot + 1) : base;
}

/** The fence language for a text file: from its extension, else plain `text`. */
export function languageOf(name: string): string {
  return TEXT_LANGUAGES[extensionOf(name)] ?? 'text';
}

/** What Discord's name and content type claim a file is, before its bytes are seen. */
export function declaredKind(
  a: Pick<Attachment, 'name' | 'contentType'>,
): 'image' | 'pdf' | 'text' | 'other' {
  const type = (a.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const ext = extensionOf(a.name);
  if (type.startsWith('image/') && type !== 'image/svg+xml') return 'image';
  if (IMAGE_EXTENSIONS.has(ext) || OTHER_IMAGE_EXTENSIONS.has(ext)) return 'image';
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (
    type.startsWith('text/') ||
    /^application\/(json|xml|x-yaml|yaml|toml|javascript|x-sh|sql)/.test(type) ||
    ext in TEXT_LANGUAGES
  )
    return 'text';
  return 'other';
}

/**
 * Reads an image's format and pixel size from its header (PNG IHDR, GIF logical screen, WEBP
 * VP8/VP8L/VP8X, JPEG SOFn), as a vision model would. `undefined` for anything else or a header
 * that does not hold together.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  try {
    return readHeader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return undefined;
  }
}

function readHeader(b: Buffer): ImageHeader | undefined {
  const ok = (format: ImageFormat, width: number, height: number, animated = false) =>
    width > 0 && height > 0 ? { format, width, height, animated } : undefined;
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    if (b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    // An APNG announces its frames in an acTL chunk before the image data.
    return ok('png', b.readUInt32BE(16), b.readUInt32BE(20), hasPngChunk(b, 'acTL'));
  }
  if (b.length >= 13 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) {
    return ok('gif', b.readUInt16LE(6), b.readUInt16LE(8), gifFrames(b) > 1);
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X')
      return ok('webp', 1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3), ((b[20] ?? 0) & 0x02) !== 0);
    if (chunk === 'VP8L' && b[20] === 0x2f) {
      const bits = b.readUInt32LE(21);
      return ok('webp', 1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff));
    }
    if (chunk === 'VP8 ' && b.readUIntBE(23, 3) === 0x9d012a)
      return ok('webp', b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b, ok);
  return undefined;
}

function hasPngChunk(b: Buffer, name: string): boolean {
  for (let at = 8; at + 8 <= b.length;) {
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (type === name) return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    at += 12 + length;
  }
  return false;
}

function jpegHeader(
  b: Buffer,
  ok: (format: ImageFormat, width: number, height: number) => ImageHeader | undefined,
): ImageHeader | undefined {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return ok('jpeg', b.readUInt16BE(at + 7), b.readUInt16BE(at + 5));
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + b.readUInt16BE(at + 2);
  }
  return undefined;
}

function gifFrames(b: Buffer): number {
  const flags = b[10] ?? 0;
  let at = 13 + ((flags & 0x80) !== 0 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  let frames = 0;
  const skipSubBlocks = () => {
    while (at < b.length && (b[at] ?? 0) !== 0) at += 1 + (b[at] ?? 0);
    at += 1;
  };
  while (at < b.length && frames < 2) {
    const introducer = b[at];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      frames += 1;
      const local = b[at + 9] ?? 0;
      at += 10 + ((local & 0x80) !== 0 ? 3 * 2 ** ((local & 7) + 1) : 0) + 1;
      skipSubBlocks();
    } else {
      break;
    }
  }
  return frames;
}

/** Magic numbers of common files a model cannot read, to name them in the refusal. */
const BINARY_MAGIC: ReadonlyArray<readonly [string, (b: Buffer) => boolean]> = [
  ['BMP', (b) => b.toString('latin1', 0, 2) === 'BM' && b.length >= 26 && b.readUInt32LE(14) >= 12],
  ['TIFF', (b) => ['II*\u0000', 'MM\u0000*'].includes(b.toString('latin1', 0, 4))],
  ['HEIC', (b) => b.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1|hevc)/.test(ftyp(b))],
  ['AVIF', (b) => b.toString('latin1', 4, 8) === 'ftyp' && /^avi[fs]/.test(ftyp(b))],
  ['ICO', (b) => b.readUInt32BE(0) === 0x00000100],
  ['MP4', (b) => b.toString('latin1', 4, 8) === 'ftyp'],
  ['ZIP', (b) => b.toString('latin1', 0, 4) === 'PK\u0003\u0004'],
  ['GZIP', (b) => b[0] === 0x1f && b[1] === 0x8b],
  ['7Z', (b) => b.toString('latin1', 0, 6) === '7z\u00bc\u00af\u0027\u001c'],
  ['RAR', (b) => b.toString('latin1', 0, 4) === 'Rar!'],
  ['ELF', (b) => b.toString('latin1', 0, 4) === '\u007fELF'],
  ['EXE', (b) => b.toString('latin1', 0, 2) === 'MZ'],
  ['SQLITE', (b) => b.toString('latin1', 0, 15) === 'SQLite format 3'],
  ['MP3', (b) => b.toString('latin1', 0, 3) === 'ID3'],
  ['OGG', (b) => b.toString('latin1', 0, 4) === 'OggS'],
  ['WAV', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE'],
  ['WEBM', (b) => b.readUInt32BE(0) === 0x1a45dfa3],
];

/** The magic numbers above that are images (named as "a HEIC image"). */
const OTHER_IMAGE_FORMATS = new Set(['BMP', 'TIFF', 'HEIC', 'AVIF', 'ICO']);

function ftyp(b: Buffer): string {
  return b.toString('latin1', 8, 12);
}

function binaryFormat(b: Buffer): string | undefined {
  if (b.length < 4) return undefined;
  return BINARY_MAGIC.find(([, test]) => {
    try {
      return test(b);
    } catch {
      return false;
    }
  })?.[0];
}

/**
 * The text of a file, or `undefined` when it is not text: UTF-8 (a BOM is dropped), or UTF-16
 * with a BOM (Windows tools write it), decoded strictly; then refused as binary if it holds a NUL
 * or more than 1% control characters other than tab, line breaks, form feed and ESC (coloured logs).
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  let controls = 0;
  let chars = 0;
  for (const ch of text) {
    chars++;
    const code = ch.codePointAt(0) ?? 0;
    if (code === 0) return undefined;
    if ((code < 0x20 && ![0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b].includes(code)) || code === 0x7f) controls++;
  }
  return controls > chars / 100 ? undefined : text;
}

/** What a file is, judged by its bytes alone: an image by its header, a PDF, UTF-8 text, or binary. */
export function sniff(bytes: Uint8Array): Sniffed {
  const image = readImageHeader(bytes);
  if (image) return { kind: 'image', image };
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.toString('latin1', 0, 5) === '%PDF-') return { kind: 'pdf' };
  const text = decodeText(bytes);
  if (text !== undefined) return { kind: 'text', text };
  return { kind: 'binary', format: binaryFormat(b) };
}

/** How a model cuts images into tokens: fit within `cap` × `cap`, then one token per `patch` × `patch`. */
export function imagePatchRule(model: string): { readonly cap: number; readonly patch: number } {
  // Pixtral's encoder: 16-pixel patches, images up to 1024 px a side; newer vision models 28 px up to 1540.
  return model.startsWith('pixtral') ? { cap: 1_024, patch: 16 } : { cap: 1_540, patch: 28 };
}

/**
 * Tokens an image is estimated to add to a prompt, before it is sent. The image is scaled down to
 * fit the model's cap (keeping its aspect), cut into patches, and each row of patches is counted
 * with one extra token (Mistral's tokenizers end every row with a break token): rows × (columns + 1).
 * Both orientations are tried and the larger kept, since a JPEG's EXIF orientation may turn it.
 *
 * Limits: at least the stand-in's patch count (rows × columns) and at most twice it; within 10%
 * when both sides span at least 10 patches (280 px on current models, 160 px on Pixtral).
 */
export function estimateImageTokens(width: number, height: number, model: string): number {
  const { cap, patch } = imagePatchRule(model);
  const count = (w: number, h: number) => {
    const scale = Math.min(1, cap / Math.max(w, h));
    // The small epsilon keeps float noise (1539.9999) from losing a pixel the real resize keeps.
    const cols = Math.ceil(Math.max(1, Math.floor(w * scale + 1e-6)) / patch);
    const rows = Math.ceil(Math.max(1, Math.floor(h * scale + 1e-6)) / patch);
    return rows * (cols + 1);
  };
  return Math.max(count(width, height), count(height, width));
}

/** What the reader may take per question. */
export interface AttachmentLimits {
  /** `MAX_ATTACHMENT_TOKENS`: the estimated tokens all text files and PDFs of one question may add. */
  readonly maxFileTokens: number;
  /** Images per request (Mistral's 8). */
  readonly maxImages?: number;
  /** Bytes per image (Mistral's 10 MiB), and the most any file is downloaded. */
  readonly maxImageBytes?: number;
}

export interface AttachmentReaderOptions extends AttachmentLimits {
  /** One download's longest wait (default {@link FETCH_TIMEOUT_MS}). */
  readonly fetchTimeoutMs?: number;
  /** The fetch to download with (default the global one). */
  readonly fetch?: typeof fetch;
}

const megabytes = (bytes: number) => Math.ceil((bytes / 1_048_576) * 10) / 10;

/**
 * Downloads and judges a question's attachments: what Discord declares is checked first (counts
 * and sizes, so nine images or an 11 MB image are refused before a byte is fetched), then each
 * file is downloaded from its signed CDN URL with a timeout and a size cap, and its bytes decide
 * what it is. Every refusal is a {@link UserError} naming the file; nothing is sent or charged.
 *
 * Images are sent as `data:` URLs of the bytes that were checked: Mistral may fetch a URL only
 * after the question waited in line (up to 14 minutes) and retries, while the CDN link expires
 * and could change under a check; the cost is a third more request size and the bytes held in
 * memory while the question waits (at most 8 × 10 MiB, as base64).
 */
export class AttachmentReader {
  readonly #maxFileTokens: number;
  readonly #maxImages: number;
  readonly #maxImageBytes: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: AttachmentReaderOptions) {
    this.#maxFileTokens = options.maxFileTokens;
    this.#maxImages = options.maxImages ?? MAX_IMAGES;
    this.#maxImageBytes = options.maxImageBytes ?? MAX_IMAGE_BYTES;
    this.#timeoutMs = options.fetchTimeoutMs ?? FETCH_TIMEOUT_MS;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Reads every attachment, in order, or throws the first refusal. */
  async read(located: readonly LocatedAttachment[]): Promise<ReadAttachment[]> {
    if (located.length === 0) return [];
    this.precheck(located);
    const abort = new AbortController();
    try {
      const read = await Promise.all(
        located.map(async (l) => {
          const bytes = await this.#download(l.attachment, this.#downloadCap(l.attachment), abort.signal);
          return this.#judge(l, bytes);
        }),
      );
      this.#checkTotals(read);
      return read;
    } finally {
      // One refusal is enough: the other downloads stop.
      abort.abort();
    }
  }

  /** The checks Discord's own description allows, before anything is downloaded. */
  precheck(located: readonly LocatedAttachment[]): void {
    const images = located.filter((l) => declaredKind(l.attachment) === 'image');
    if (images.length > this.#maxImages)
      throw new UserError('attachment_too_many_images', { count: images.length, max: this.#maxImages });
    let fileBytes = 0;
    for (const { attachment: a } of located) {
      const kind = declaredKind(a);
      if (a.size > this.#maxImageBytes)
        throw new UserError('attachment_too_large', {
          name: shownName(a.name),
          mb: megabytes(a.size),
          max: megabytes(this.#maxImageBytes),
        });
      if (kind === 'pdf') fileBytes += a.size * (TEXT_BYTES_PER_TOKEN_MAX / PDF_BYTES_PER_TOKEN);
      else if (kind === 'text') fileBytes += a.size;
      const atLeast = Math.ceil(fileBytes / TEXT_BYTES_PER_TOKEN_MAX);
      if (atLeast > this.#maxFileTokens)
        throw new UserError('attachment_text_too_long', {
          name: shownName(a.name),
          others: 0,
          tokens: atLeast,
          limit: this.#maxFileTokens,
          exact: 'no',
        });
    }
  }

  #downloadCap(a: Attachment): number {
    const kind = declaredKind(a);
    if (kind === 'text')
      return Math.min(this.#maxImageBytes, this.#maxFileTokens * TEXT_BYTES_PER_TOKEN_MAX + 4);
    if (kind === 'pdf') return Math.min(this.#maxImageBytes, this.#maxFileTokens * PDF_BYTES_PER_TOKEN);
    return this.#maxImageBytes;
  }

  async #download(a: Attachment, cap: number, stop: AbortSignal): Promise<Buffer> {
    const name = shownName(a.name);
    const unavailable = (why: 'expired' | 'timeout' | 'failed', cause?: unknown) =>
      new UserError('attachment_unavailable', { name, why }, { cause });
    let url: URL;
    try {
      url = new URL(a.url);
    } catch (error) {
      throw unavailable('failed', error);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw unavailable('failed');
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = AbortSignal.any([timeout, stop]);
    try {
      const res = await this.#fetch(url, { signal, redirect: 'follow' });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw unavailable([403, 404, 410].includes(res.status) ? 'expired' : 'failed');
      }
      const declared = Number(res.headers.get('content-length') ?? Number.NaN);
      if (declared > cap) {
        await res.body?.cancel().catch(() => undefined);
        throw this.#overCap(a, declared);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = res.body?.getReader();
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        const chunk: unknown = next.value;
        if (!(chunk instanceof Uint8Array)) continue;
        total += chunk.byteLength;
        if (total > cap) {
          await reader?.cancel().catch(() => undefined);
          throw this.#overCap(a, total);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, total);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw unavailable(timeout.aborted ? 'timeout' : 'failed', error);
    }
  }

  /** A download that outgrew what its kind may be. */
  #overCap(a: Attachment, bytes: number): UserError {
    const kind = declaredKind(a);
    if (kind === 'text' || kind === 'pdf')
      return new UserError('attachment_text_too_long', {
        name: shownName(a.name),
        others: 0,
        tokens: Math.ceil(bytes / (kind === 'pdf' ? PDF_BYTES_PER_TOKEN : TEXT_BYTES_PER_TOKEN_MAX)),
        limit: this.#maxFileTokens,
        exact: kind === 'pdf' ? 'yes' : 'no',
      });
    return new UserError('attachment_too_large', {
      name: shownName(a.name),
      mb: megabytes(bytes),
      max: megabytes(this.#maxImageBytes),
    });
  }

  /** What one downloaded file is, or why it is refused. */
  #judge(l: LocatedAttachment, bytes: Buffer): ReadAttachment {
    const a = l.attachment;
    const name = shownName(a.name);
    const declared = declaredKind(a);
    const found = sniff(bytes);
    const notReadable = (kind: 'image' | 'pdf' | 'other', format: string | undefined) =>
      new UserError('attachment_not_readable', { name, kind, format: format ?? 'none' });
    if (found.kind === 'image') {
      if (found.image.animated) throw new UserError('attachment_animated', { name });
      if (bytes.length > this.#maxImageBytes)
        throw new UserError('attachment_too_large', {
          name,
          mb: megabytes(bytes.length),
          max: megabytes(this.#maxImageBytes),
        });
      const differs =
        a.width !== undefined &&
        a.height !== undefined &&
        (a.width !== found.image.width || a.height !== found.image.height);
      return {
        ...l,
        kind: 'image',
        image: found.image,
        ...(differs ? { discordSize: { width: a.width ?? 0, height: a.height ?? 0 } } : {}),
        bytes: bytes.length,
        dataUrl: `data:image/${found.image.format};base64,${bytes.toString('base64')}`,
      };
    }
    // Named as an image but not one Mistral reads: say which format it is, when its bytes tell.
    if (declared === 'image')
      throw notReadable(
        'image',
        found.kind === 'binary' && OTHER_IMAGE_FORMATS.has(found.format ?? '') ? found.format : undefined,
      );
    if (found.kind === 'pdf')
      return {
        ...l,
        kind: 'pdf',
        bytes: bytes.length,
        dataUrl: `data:application/pdf;base64,${bytes.toString('base64')}`,
        tokens: Math.ceil(bytes.length / PDF_BYTES_PER_TOKEN),
      };
    if (declared === 'pdf') throw notReadable('pdf', undefined);
    if (found.kind === 'binary') throw notReadable('other', found.format);
    return { ...l, kind: 'text', text: found.text, bytes: bytes.length, tokens: estimateTokens(found.text) };
  }

  /** Counts and sizes once every file is known by its bytes (a file may not be what it claimed). */
  #checkTotals(read: readonly ReadAttachment[]): void {
    const images = read.filter((r) => r.kind === 'image').length;
    if (images > this.#maxImages)
      throw new UserError('attachment_too_many_images', { count: images, max: this.#maxImages });
    const files = read.flatMap((r) => (r.kind === 'text' || r.kind === 'pdf' ? [r] : []));
    const tokens = files.reduce((sum, f) => sum + f.tokens, 0);
    if (tokens > this.#maxFileTokens) {
      const largest = files.reduce((a, b) => (b.tokens > a.tokens ? b : a));
      throw new UserError('attachment_text_too_long', {
        name: shownName(largest.attachment.name),
        others: files.length - 1,
        tokens,
        limit: this.#maxFileTokens,
        exact: 'yes',
      });
    }
  }
}

/** A file name as a refusal shows it: inside a code span, so no backticks, and not too long. */
function shownName(name: string): string {
  const clean = name.replace(/[`\r\n]/g, '');
  return [...clean].length > 80 ? `${[...clean].slice(0, 79).join('')}…` : clean;
}
