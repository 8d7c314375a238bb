/**
 * Checks every JSON body (and multipart `payload_json`) the bot sends against Discord's published
 * schema for its route: the Zod schemas `discord-api-spec` generates from Discord's OpenAPI document.
 *
 * The spec has no runtime map from route to body; the map below follows its `Paths[route][method]
 * ['requestBody']` types. Where a route takes a union (interaction callbacks, webhook execute, thread
 * creation), the callback's `type` picks the member, else any member that passes is enough. Two
 * allowances keep the check as strict as Discord and no stricter:
 * - `default_member_permissions` is typed as a number in the spec, but Discord takes (and discord.js
 *   sends) a string bit set such as `"8"`; a string of decimal digits passes.
 * - Zod measures string lengths in UTF-16 units, Discord in code points; a `too_big` on a string whose
 *   code-point length is within the maximum is dropped.
 * Every route the stand-in serves with a body has a schema here; GET, DELETE and `POST …/typing` take none.
 */
import {
  ApplicationCommandAutocompleteCallbackRequestSchema,
  ApplicationCommandCreateRequestSchema,
  ApplicationCommandPatchRequestPartialSchema,
  ApplicationCommandUpdateRequestSchema,
  CreateForumThreadRequestSchema,
  CreateMessageInteractionCallbackRequestSchema,
  CreateTextThreadWithMessageRequestSchema,
  CreateTextThreadWithoutMessageRequestSchema,
  IncomingWebhookRequestPartialSchema,
  IncomingWebhookUpdateRequestPartialSchema,
  LaunchActivityInteractionCallbackRequestSchema,
  MessageCreateRequestSchema,
  MessageEditRequestPartialSchema,
  ModalInteractionCallbackRequestSchema,
  PongInteractionCallbackRequestSchema,
  UpdateMessageInteractionCallbackRequestSchema,
} from 'discord-api-spec/zod';
import type { ZodMiniType } from 'zod/mini';
import { codePoints, isObj } from './util.ts';
import type { FormIssue } from './util.ts';

/** One schema mismatch, with the path into the body. */
export interface SchemaIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly code: string;
  readonly message: string;
}

interface Named {
  readonly name: string;
  readonly schema: ZodMiniType;
}

const named = (name: string, schema: ZodMiniType): Named => ({ name, schema });

const COMMAND_CREATE = named('ApplicationCommandCreateRequest', ApplicationCommandCreateRequestSchema);
const COMMAND_PATCH = named(
  'ApplicationCommandPatchRequestPartial',
  ApplicationCommandPatchRequestPartialSchema,
);
const COMMAND_UPDATE = named('ApplicationCommandUpdateRequest', ApplicationCommandUpdateRequestSchema);
const WEBHOOK_UPDATE = named(
  'IncomingWebhookUpdateRequestPartial',
  IncomingWebhookUpdateRequestPartialSchema,
);

const CALLBACKS: ReadonlyMap<number, Named> = new Map([
  [1, named('PongInteractionCallbackRequest', PongInteractionCallbackRequestSchema)],
  [4, named('CreateMessageInteractionCallbackRequest', CreateMessageInteractionCallbackRequestSchema)],
  [5, named('CreateMessageInteractionCallbackRequest', CreateMessageInteractionCallbackRequestSchema)],
  [6, named('UpdateMessageInteractionCallbackRequest', UpdateMessageInteractionCallbackRequestSchema)],
  [7, named('UpdateMessageInteractionCallbackRequest', UpdateMessageInteractionCallbackRequestSchema)],
  [
    8,
    named(
      'ApplicationCommandAutocompleteCallbackRequest',
      ApplicationCommandAutocompleteCallbackRequestSchema,
    ),
  ],
  [9, named('ModalInteractionCallbackRequest', ModalInteractionCallbackRequestSchema)],
  [12, named('LaunchActivityInteractionCallbackRequest', LaunchActivityInteractionCallbackRequestSchema)],
]);

/** Route pattern (as the stand-in's router writes it) → the schemas its body may match. */
const BODIES: ReadonlyMap<string, readonly Named[]> = new Map([
  ['POST /applications/:app/commands', [COMMAND_CREATE]],
  ['POST /applications/:app/guilds/:guild/commands', [COMMAND_CREATE]],
  ['PATCH /applications/:app/commands/:command', [COMMAND_PATCH]],
  ['PATCH /applications/:app/guilds/:guild/commands/:command', [COMMAND_PATCH]],
  [
    'POST /webhooks/:app/:token',
    [named('IncomingWebhookRequestPartial', IncomingWebhookRequestPartialSchema), WEBHOOK_UPDATE],
  ],
  ['PATCH /webhooks/:app/:token/messages/:message', [WEBHOOK_UPDATE]],
  ['POST /channels/:channel/messages', [named('MessageCreateRequest', MessageCreateRequestSchema)]],
  [
    'PATCH /channels/:channel/messages/:message',
    [named('MessageEditRequestPartial', MessageEditRequestPartialSchema)],
  ],
  [
    'POST /channels/:channel/threads',
    [
      named('CreateTextThreadWithoutMessageRequest', CreateTextThreadWithoutMessageRequestSchema),
      named('CreateForumThreadRequest', CreateForumThreadRequestSchema),
    ],
  ],
  [
    'POST /channels/:channel/messages/:message/threads',
    [named('CreateTextThreadWithMessageRequest', CreateTextThreadWithMessageRequestSchema)],
  ],
]);

const BULK_OVERWRITES = new Set([
  'PUT /applications/:app/commands',
  'PUT /applications/:app/guilds/:guild/commands',
]);
const CALLBACK_ROUTE = 'POST /interactions/:id/:token/callback';

/** Whether the stand-in checks bodies of this route (`METHOD /pattern`). */
export function hasBodySchema(route: string): boolean {
  return BODIES.has(route) || BULK_OVERWRITES.has(route) || route === CALLBACK_ROUTE;
}

function valueAt(body: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key] as unknown;
    else if (isObj(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

interface RawIssue {
  readonly code?: string;
  readonly path: PropertyKey[];
  readonly message: string;
  readonly origin?: string;
  readonly maximum?: number | bigint;
  readonly errors?: RawIssue[][];
}

/** Flattens union failures to the closest member's issues and drops the two documented allowances. */
function clean(
  body: unknown,
  issues: readonly RawIssue[],
  prefix: readonly PropertyKey[] = [],
): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => clean(body, branch, path));
      if (branches.some((b) => b.length === 0)) continue;
      const closest = branches.reduce((best, b) => (b.length < best.length ? b : best));
      out.push(...closest);
      continue;
    }
    const value = valueAt(body, path);
    if (issue.code === 'too_big' && issue.origin === 'string' && typeof value === 'string') {
      if (codePoints(value) <= Number(issue.maximum)) continue;
    }
    if (path.at(-1) === 'default_member_permissions' && typeof value === 'string' && /^\d+$/.test(value))
      continue;
    out.push({
      path: path.map((p) => (typeof p === 'number' ? p : String(p))),
      code: issue.code ?? 'invalid',
      message: issue.message,
    });
  }
  return out;
}

function check(body: unknown, options: readonly Named[]): { schema: string; issues: SchemaIssue[] } {
  let best: { schema: string; issues: SchemaIssue[] } | undefined;
  for (const option of options) {
    const result = option.schema.safeParse(body);
    const issues = result.success ? [] : clean(body, result.error.issues);
    if (issues.length === 0) return { schema: option.name, issues };
    if (!best || issues.length < best.issues.length) best = { schema: option.name, issues };
  }
  return best ?? { schema: 'none', issues: [] };
}

/**
 * The schema mismatches of a body for a route (`METHOD /pattern`), or `undefined` when the route has no
 * body schema. An empty `issues` list means the body matches `schema`.
 */
export function schemaIssues(
  route: string,
  body: unknown,
): { schema: string; issues: SchemaIssue[] } | undefined {
  if (route === CALLBACK_ROUTE) {
    const type = isObj(body) ? body.type : undefined;
    const schema = typeof type === 'number' ? CALLBACKS.get(type) : undefined;
    if (!schema) {
      return {
        schema: 'InteractionCallbackRequest',
        issues: [
          {
            path: ['type'],
            code: 'invalid_value',
            message: `Unknown interaction callback type ${String(type)}`,
          },
        ],
      };
    }
    return check(body, [schema]);
  }
  if (BULK_OVERWRITES.has(route)) {
    if (body === null) return { schema: `${COMMAND_UPDATE.name}[]`, issues: [] };
    if (!Array.isArray(body)) {
      return {
        schema: `${COMMAND_UPDATE.name}[]`,
        issues: [{ path: [], code: 'invalid_type', message: 'Invalid input: expected array' }],
      };
    }
    const issues = (body as unknown[]).flatMap((element, index) =>
      check(element, [COMMAND_UPDATE]).issues.map((i) => ({ ...i, path: [index, ...i.path] })),
    );
    return { schema: `${COMMAND_UPDATE.name}[]`, issues };
  }
  const options = BODIES.get(route);
  return options ? check(body ?? {}, options) : undefined;
}

/** Schema issues as Discord's form-body issues, for the 400 50035 answer. */
export function asFormIssues(issues: readonly SchemaIssue[]): FormIssue[] {
  return issues.map((issue) => ({
    path: issue.path.length === 0 ? '_root' : issue.path.join('.'),
    code: `SCHEMA_${issue.code.toUpperCase()}`,
    message: issue.message,
  }));
}

/** One line per issue for `violations`. */
export function describeSchemaIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((i) => `${i.path.length === 0 ? '(body)' : i.path.join('.')}: ${i.code} ${i.message}`)
    .join('; ');
}
