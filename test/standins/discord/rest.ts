/**
 * The stand-in's REST layer: body parsing (JSON and multipart with `payload_json`), recording every
 * call, routing under `/api/v10`, bot-token auth, Discord's global rate limit, schema validation of
 * bodies, and the answer with Discord-like rate-limit headers. The CDN (`/attachments/...`) is served
 * beside it without auth and outside the limits, as Discord's CDN is a different host.
 *
 * Order of checks, as a client sees Discord answer: 404/405 route → 401 token → 429 global limit →
 * 400 50109 bad JSON → 400 50035 schema → the route's own rules.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAttachment } from './cdn.ts';
import { rateLimited, takeGlobalSlot } from './limits.ts';
import { asFormIssues, describeSchemaIssues, hasBodySchema, schemaIssues } from './schema.ts';
import { violate } from './state.ts';
import type { World } from './state.ts';
import type { RecordedCall, RecordedFile } from './types.ts';
import { ApiFailure, apiError, invalidForm } from './util.ts';
import type { Reply } from './util.ts';

const API_PREFIX = ['api', 'v10'];
/** Generic bucket announced in the rate-limit headers of every route; generous so discord.js never waits. */
const GENERIC_BUCKET_LIMIT = 50;
const GENERIC_BUCKET_WINDOW_MS = 1_000;
const CALLBACK_ROUTE = 'POST /interactions/:id/:token/callback';

/** What a route handler gets of a request. */
export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly files: ReadonlyMap<string, RecordedFile>;
}

/** A route handler: answers a reply or throws `ApiFailure` (via `fail`). */
export type Handler = (ctx: RequestContext, params: Readonly<Record<string, string>>) => Reply;

/** One REST route of the stand-in. */
export interface Route {
  readonly method: string;
  /** `/channels/:channel/messages` etc.; `METHOD pattern` names the route in schema.ts. */
  readonly pattern: string;
  readonly segments: readonly string[];
  /** Requests must carry the bot token (interaction callbacks and webhooks do not). */
  readonly auth: boolean;
  readonly handler: Handler;
}

/** Declares a route; `:name` segments become params. */
export function route(method: string, pattern: string, auth: boolean, handler: Handler): Route {
  return { method, pattern, segments: pattern.split('/').filter(Boolean), auth, handler };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: Map<string, RecordedFile>; invalid: boolean }> {
  const files = new Map<string, RecordedFile>();
  if (raw.length === 0) return { body: undefined, files, invalid: false };
  try {
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      let body: unknown;
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') {
          if (key === 'payload_json') body = JSON.parse(value) as unknown;
        } else {
          files.set(key, {
            filename: value.name,
            contentType: value.type || 'application/octet-stream',
            bytes: Buffer.from(await value.arrayBuffer()),
          });
        }
      }
      return { body, files, invalid: false };
    }
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files, invalid: false };
  } catch {
    return { body: undefined, files, invalid: true };
  }
}

function matchRoute(
  routes: readonly Route[],
  segments: readonly string[],
): Array<{ route: Route; params: Record<string, string> }> {
  return routes.flatMap((r) => {
    if (r.segments.length !== segments.length) return [];
    const params: Record<string, string> = {};
    for (const [index, part] of r.segments.entries()) {
      const actual = segments[index] ?? '';
      if (part.startsWith(':')) params[part.slice(1)] = actual;
      else if (part !== actual) return [];
    }
    return [{ route: r, params }];
  });
}

/** Discord-like bucket headers; real time, because discord.js compares them with Date.now(). */
function bucketHeaders(
  buckets: Map<string, { resetAt: number; used: number }>,
  method: string,
  path: string,
): Record<string, string> {
  const bucketRoute = path
    .replaceAll(/\d{17,19}/g, ':id')
    .replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token');
  const major =
    /^\/webhooks\/(\d{17,19}\/[^/]+)/.exec(path)?.[1] ??
    /^\/(?:channels|guilds|webhooks)\/(\d{17,19})/.exec(path)?.[1] ??
    'global';
  const now = Date.now();
  const key = `${method} ${bucketRoute} ${major}`;
  let bucket = buckets.get(key);
  if (!bucket || now >= bucket.resetAt) {
    bucket = { resetAt: now + GENERIC_BUCKET_WINDOW_MS, used: 0 };
    buckets.set(key, bucket);
  }
  bucket.used += 1;
  return {
    'x-ratelimit-limit': String(GENERIC_BUCKET_LIMIT),
    'x-ratelimit-remaining': String(Math.max(GENERIC_BUCKET_LIMIT - bucket.used, 0)),
    'x-ratelimit-reset': (bucket.resetAt / 1_000).toFixed(3),
    'x-ratelimit-reset-after': ((bucket.resetAt - now) / 1_000).toFixed(3),
    'x-ratelimit-bucket': createHash('md5').update(`${method} ${bucketRoute}`).digest('hex'),
  };
}

function writeReply(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  const base = { ...headers, ...reply.headers, via: '1.1 google' };
  if (reply.raw) {
    res.writeHead(reply.status, {
      ...base,
      'content-type': reply.raw.contentType,
      'content-length': String(reply.raw.bytes.length),
    });
    res.end(reply.raw.bytes);
  } else if (reply.body === undefined) {
    res.writeHead(reply.status, base);
    res.end();
  } else {
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...base,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}

/** The path with interaction tokens replaced, plus the interaction it belongs to, for violation texts. */
function describePath(world: World, method: string, path: string): string {
  const token = /^\/(?:webhooks\/\d+|interactions\/\d+)\/([^/]+)/.exec(path)?.[1];
  if (token === undefined) return `${method} ${path}`;
  const state = world.interactionsByToken.get(token);
  return `${method} ${path.replace(token, '…')}${state ? ` (interaction ${state.id}, ${state.label})` : ''}`;
}

/** The request listener: records, routes, limits, validates and answers every REST call. */
export function createRestHandler(
  world: World,
  routes: readonly Route[],
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const buckets = new Map<string, { resetAt: number; used: number }>();
  return async (req, res) => {
    const url = new URL(req.url ?? '/', world.urls.http);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let allSegments: string[];
    try {
      allSegments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      allSegments = url.pathname.split('/').filter(Boolean);
    }
    if (allSegments[0] === 'attachments' && method === 'GET') {
      writeReply(res, serveAttachment(world, url, allSegments), {});
      return;
    }
    const versioned = allSegments[0] === API_PREFIX[0] && allSegments[1] === API_PREFIX[1];
    const segments = versioned ? allSegments.slice(2) : allSegments;
    const path = `/${segments.join('/')}`;
    const parsed = await parseBody(raw, String(req.headers['content-type'] ?? ''));
    const call: RecordedCall = {
      method,
      path: versioned ? path : url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: [...parsed.files.values()],
      at: world.clock(),
      status: 0,
    };
    world.calls.push(call);
    const ctx: RequestContext = {
      method,
      path,
      query: url.searchParams,
      body: parsed.body,
      files: parsed.files,
    };
    const headers = bucketHeaders(buckets, method, path);
    const answer = (reply: Reply): void => {
      call.status = reply.status;
      if (reply.status === 429) world.counters.rejected429 += 1;
      if (reply.status === 401 || reply.status === 403 || reply.status === 429) world.counters.invalid += 1;
      writeReply(res, reply, headers);
    };

    if (!versioned) {
      violate(world, `${method} ${url.pathname}: not under /api/v10 → 404`);
      answer(apiError(404, 0, '404: Not Found'));
      return;
    }
    const matches = matchRoute(routes, segments);
    const match = matches.find((m) => m.route.method === method);
    if (!match) {
      if (matches.length > 0) {
        violate(world, `${method} ${path}: method not allowed on this route → 405`);
        answer(apiError(405, 0, '405: Method Not Allowed'));
      } else {
        violate(world, `${method} ${path}: route unknown to the stand-in → 404`);
        answer(apiError(404, 0, '404: Not Found'));
      }
      return;
    }
    const authorization = req.headers.authorization;
    if (
      (authorization !== undefined && authorization !== `Bot ${world.token}`) ||
      (match.route.auth && !authorization)
    ) {
      answer(apiError(401, 0, '401: Unauthorized'));
      return;
    }
    const name = `${method} ${match.route.pattern}`;
    if (name !== CALLBACK_ROUTE) {
      const retryMs = takeGlobalSlot(world.globalTimes, world.settings.globalRequestsPerSecond, Date.now());
      if (retryMs !== undefined) {
        violate(
          world,
          `${describePath(world, method, path)}: over the global limit of ${world.settings.globalRequestsPerSecond} requests/s → 429 global (retry after ${Math.round(retryMs)} ms)`,
        );
        answer(rateLimited(retryMs, true));
        return;
      }
    }
    if (parsed.invalid) {
      violate(world, `${method} ${path}: body is not valid JSON → 400 50109`);
      answer(apiError(400, 50109, 'The request body contains invalid JSON.'));
      return;
    }
    if (hasBodySchema(name)) {
      const checked = schemaIssues(name, parsed.body);
      if (checked && checked.issues.length > 0) {
        violate(
          world,
          `${describePath(world, method, path)}: body does not match Discord's ${checked.schema} schema (route ${name}): ${describeSchemaIssues(checked.issues)} → 400 50035`,
        );
        answer(invalidForm(asFormIssues(checked.issues)));
        return;
      }
    }
    try {
      answer(match.route.handler(ctx, match.params));
    } catch (error) {
      if (error instanceof ApiFailure) {
        answer(error.reply);
        return;
      }
      throw error;
    }
  };
}
