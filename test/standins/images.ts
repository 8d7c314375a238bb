/**
 * Real image files for tests, and the header reader both stand-ins use to learn an image's format and
 * pixel size the way a CDN or a vision model would (from the bytes, never from a file name).
 *
 * PNG (pngjs) and JPEG (jpeg-js) are fully encoded images; GIF is a valid single-colour GIF89a; WEBP is a
 * single-colour lossless (VP8L) image whose colour codes take no bits, so any size stays tiny.
 */
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

/** Formats the readers know. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** What {@link readImageInfo} found in a file's header. */
export interface ImageInfo {
  readonly format: ImageFormat;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  /** GIF only: more than one image block (Mistral takes single-frame GIFs only). */
  readonly animated?: boolean;
}

const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** A PNG of `width` × `height` filled with one RGBA colour (default opaque orange). */
export function makePng(width: number, height: number, rgba: number = 0xfa520fff): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i += 4) png.data.writeUInt32BE(rgba >>> 0, i);
  return PNG.sync.write(png);
}

/** A baseline JPEG of `width` × `height` in one colour. */
export function makeJpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4, 0x80);
  return encodeJpeg({ width, height, data }, 80).data;
}

/** A GIF89a of `width` × `height`, every pixel colour 0; `frames` > 1 makes it animated. */
export function makeGif(width: number, height: number, frames = 1): Buffer {
  const u16 = (n: number): number[] => [n & 0xff, n >> 8];
  const head = [...Buffer.from('GIF89a'), ...u16(width), ...u16(height), 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  // LZW with a clear code before every pixel keeps every code 3 bits wide: clear=4, end=5.
  const codes: number[] = [];
  for (let i = 0; i < width * height; i += 1) codes.push(4, 0);
  codes.push(5);
  const packed: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const code of codes) {
    acc |= code << bits;
    bits += 3;
    while (bits >= 8) {
      packed.push(acc & 0xff);
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) packed.push(acc & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < packed.length; i += 255) {
    const block = packed.slice(i, i + 255);
    blocks.push(block.length, ...block);
  }
  const frame = [0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0, 2, ...blocks, 0];
  const body: number[] = [];
  for (let f = 0; f < frames; f += 1) body.push(...frame);
  return Buffer.from([...head, ...body, 0x3b]);
}

/** A lossless WEBP of `width` × `height` (≤ 16384 each) in one colour. */
export function makeWebp(width: number, height: number): Buffer {
  const bits: number[] = [];
  const put = (value: number, count: number): void => {
    for (let i = 0; i < count; i += 1) bits.push((value >> i) & 1);
  };
  put(width - 1, 14);
  put(height - 1, 14);
  put(0, 1); // alpha hint
  put(0, 3); // version
  put(0, 1); // no transform
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  // Five prefix codes (green, red, blue, alpha, distance), each "simple" with one 8-bit symbol.
  for (let code = 0; code < 5; code += 1) {
    put(1, 1);
    put(0, 1);
    put(1, 1);
    put(code === 3 ? 255 : 0, 8);
  }
  const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (bit << (i & 7));
  });
  const vp8l = Buffer.concat([Buffer.from([0x2f]), bytes]);
  const padded = vp8l.length % 2 === 1 ? Buffer.concat([vp8l, Buffer.from([0])]) : vp8l;
  const chunk = Buffer.concat([Buffer.from('VP8L'), le32(vp8l.length), padded]);
  return Buffer.concat([Buffer.from('RIFF'), le32(4 + chunk.length), Buffer.from('WEBP'), chunk]);
}

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** Reads format and pixel size from an image's header; `undefined` when it is no PNG, JPEG, GIF or WEBP. */
export function readImageInfo(bytes: Buffer): ImageInfo | undefined {
  const info = (
    format: ImageFormat,
    width: number,
    height: number,
    animated?: boolean,
  ): ImageInfo | undefined =>
    width > 0 && height > 0
      ? { format, contentType: CONTENT_TYPES[format], width, height, ...(animated ? { animated } : {}) }
      : undefined;
  if (
    bytes.length >= 24 &&
    bytes.readUInt32BE(0) === 0x89504e47 &&
    bytes.toString('latin1', 12, 16) === 'IHDR'
  ) {
    return orUndefined(() => info('png', bytes.readUInt32BE(16), bytes.readUInt32BE(20)));
  }
  if (bytes.length >= 10 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) {
    return orUndefined(() =>
      info('gif', bytes.readUInt16LE(6), bytes.readUInt16LE(8), countGifFrames(bytes) > 1),
    );
  }
  if (
    bytes.length >= 30 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return orUndefined(() => webpSize(bytes, info));
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8)
    return orUndefined(() => jpegSize(bytes, info));
  return undefined;
}

function orUndefined(read: () => ImageInfo | undefined): ImageInfo | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

type Make = (format: ImageFormat, width: number, height: number) => ImageInfo | undefined;

function webpSize(bytes: Buffer, info: Make): ImageInfo | undefined {
  const kind = bytes.toString('latin1', 12, 16);
  if (kind === 'VP8X') return info('webp', 1 + bytes.readUIntLE(24, 3), 1 + bytes.readUIntLE(27, 3));
  if (kind === 'VP8L' && bytes[20] === 0x2f) {
    const b = bytes.readUInt32LE(21);
    return info('webp', 1 + (b & 0x3fff), 1 + ((b >> 14) & 0x3fff));
  }
  if (kind === 'VP8 ' && bytes.readUIntBE(23, 3) === 0x9d012a) {
    return info('webp', bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff);
  }
  throw new Error('unknown WEBP chunk');
}

function jpegSize(bytes: Buffer, info: Make): ImageInfo | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) throw new Error('bad JPEG marker');
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return info('jpeg', bytes.readUInt16BE(at + 7), bytes.readUInt16BE(at + 5));
    }
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  throw new Error('no JPEG frame header');
}

function countGifFrames(bytes: Buffer): number {
  const packed = bytes[10] ?? 0;
  let at = 13 + ((packed & 0x80) !== 0 ? 3 * 2 ** ((packed & 7) + 1) : 0);
  let frames = 0;
  const skipBlocks = (): void => {
    while (at < bytes.length && (bytes[at] ?? 0) !== 0) at += 1 + (bytes[at] ?? 0);
    at += 1;
  };
  while (at < bytes.length) {
    const kind = bytes[at];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      at += 2;
      skipBlocks();
    } else if (kind === 0x2c) {
      frames += 1;
      const local = bytes[at + 9] ?? 0;
      at += 10 + ((local & 0x80) !== 0 ? 3 * 2 ** ((local & 7) + 1) : 0) + 1;
      skipBlocks();
    } else {
      break;
    }
  }
  return frames;
}

/** The content type a file's bytes announce (images by header, PDF by `%PDF-`), if any. */
export function sniffContentType(bytes: Buffer): string | undefined {
  const image = readImageInfo(bytes);
  if (image) return image.contentType;
  if (bytes.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  return undefined;
}
