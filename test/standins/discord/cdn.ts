/**
 * The stand-in's CDN: attachment URLs signed and expiring like Discord's
 * (`/attachments/:channel/:id/:filename?ex=<hex expiry s>&is=<hex issue s>&hm=<hmac>&`), served without
 * auth from the stand-in's own HTTP server. A missing, wrong or expired signature answers 404 with
 * Discord's text, as the real CDN does since signed URLs became mandatory.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { World } from './state.ts';
import type { AttachmentInput, StandInAttachment } from './types.ts';
import type { Reply } from './util.ts';
import { readImageInfo, sniffContentType } from '../images.ts';

function signature(world: World, path: string, ex: string, is: string): string {
  return createHmac('sha256', world.cdnSecret).update(`${path}|${ex}|${is}`).digest('hex');
}

/** A freshly signed URL for an attachment, valid for the configured lifetime from now (stand-in clock). */
export function signedUrl(world: World, channelId: string, file: StandInAttachment): string {
  const path = `/attachments/${channelId}/${file.id}/${encodeURIComponent(file.filename)}`;
  const now = Math.floor(world.clock() / 1_000);
  const ex = Math.floor((world.clock() + world.settings.attachmentUrlLifetimeMs) / 1_000).toString(16);
  const is = now.toString(16);
  return `${world.urls.http}${path}?ex=${ex}&is=${is}&hm=${signature(world, path, ex, is)}&`;
}

/** Stores a file under a new id so the CDN can serve it; width/height are read from image bytes. */
export function storeAttachment(
  world: World,
  channelId: string,
  input: AttachmentInput & { readonly id?: string },
): StandInAttachment {
  const image = readImageInfo(input.bytes);
  const file: StandInAttachment = {
    id: input.id ?? world.nextId(),
    filename: input.filename,
    contentType: input.contentType ?? sniffContentType(input.bytes) ?? 'application/octet-stream',
    bytes: input.bytes,
    ...(image ? { width: image.width, height: image.height } : {}),
    ...(input.description === undefined ? {} : { description: input.description }),
  };
  world.attachments.set(file.id, { channelId, file });
  return file;
}

const GONE: Reply = {
  status: 404,
  raw: { bytes: Buffer.from('This content is no longer available.'), contentType: 'text/plain' },
};

/** Answers `GET /attachments/...` (path already split into decoded segments). */
export function serveAttachment(world: World, url: URL, segments: readonly string[]): Reply {
  const [, channelId, attachmentId, filename] = segments;
  const stored = world.attachments.get(attachmentId ?? '');
  if (!stored || stored.channelId !== channelId || stored.file.filename !== filename) return GONE;
  const ex = url.searchParams.get('ex') ?? '';
  const is = url.searchParams.get('is') ?? '';
  const hm = url.searchParams.get('hm') ?? '';
  const path = `/attachments/${stored.channelId}/${stored.file.id}/${encodeURIComponent(stored.file.filename)}`;
  const expected = Buffer.from(signature(world, path, ex, is));
  const given = Buffer.from(hm);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return GONE;
  if (!/^[0-9a-f]+$/.test(ex) || Number.parseInt(ex, 16) * 1_000 <= world.clock()) return GONE;
  return { status: 200, raw: { bytes: stored.file.bytes, contentType: stored.file.contentType } };
}
