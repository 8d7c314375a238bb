/**
 * Application command routes, global and per guild: list, bulk overwrite, create, get, patch and
 * delete, with Discord's naming rules per command type and the context-menu caps.
 */
import { commandIssues, contextMenuCountIssues } from '../checks.ts';
import type { Handler, RequestContext, Route } from '../rest.ts';
import { route } from '../rest.ts';
import { violate } from '../state.ts';
import type { World } from '../state.ts';
import type { StoredCommand } from '../types.ts';
import {
  apiError,
  asArray,
  asNumber,
  asString,
  describeIssues,
  fail,
  invalidForm,
  isObj,
  maxLengthIssue,
} from '../util.ts';
import type { FormIssue, Obj, Reply } from '../util.ts';

function checkApplication(
  world: World,
  p: Readonly<Record<string, string>>,
  ctx: RequestContext,
): string | undefined {
  if (p.app !== world.applicationId) {
    violate(
      world,
      `${ctx.method} ${ctx.path}: application id ${p.app} is not this bot's (${world.applicationId}) → 403 50001`,
    );
    fail(apiError(403, 50001, 'Missing Access'));
  }
  if (p.guild === undefined) return undefined;
  if (!world.guilds.has(p.guild)) {
    violate(world, `${ctx.method} ${ctx.path}: bot is not in guild ${p.guild} → 403 50001`);
    fail(apiError(403, 50001, 'Missing Access'));
  }
  return p.guild;
}

function storeCommand(
  world: World,
  def: Obj,
  guildId: string | undefined,
  existing: StoredCommand | undefined,
): StoredCommand {
  return {
    default_member_permissions: null,
    nsfw: false,
    name_localizations: null,
    description_localizations: null,
    contexts: null,
    integration_types: [0],
    ...(guildId === undefined ? { dm_permission: true } : {}),
    ...def,
    id: existing?.id ?? world.nextId(),
    application_id: world.applicationId,
    version: world.nextId(),
    name: asString(def.name) ?? '',
    type: asNumber(def.type) ?? 1,
    description: asString(def.description) ?? '',
    ...(guildId === undefined ? {} : { guild_id: guildId }),
  };
}

function failing(world: World, ctx: RequestContext, issues: FormIssue[]): Reply | undefined {
  if (issues.length === 0) return undefined;
  violate(world, `${ctx.method} ${ctx.path}: ${describeIssues(issues)} → 400 50035`);
  return invalidForm(issues);
}

const sameCommand = (c: StoredCommand, def: Obj): boolean =>
  c.name === def.name && c.type === (asNumber(def.type) ?? 1);

/** The application command routes, global and per guild. */
export function commandRoutes(world: World): Route[] {
  const list: Handler = (ctx, p) => {
    const guildId = checkApplication(world, p, ctx);
    return { status: 200, body: world.commandStore.get(guildId ?? 'global') ?? [] };
  };

  const overwrite: Handler = (ctx, p) => {
    const guildId = checkApplication(world, p, ctx);
    const defs = asArray(ctx.body);
    if (!defs) return invalidForm([{ path: '_root', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }]);
    const issues = defs.flatMap((def, index) => commandIssues(def, String(index)));
    if (defs.length > 100) issues.push(maxLengthIssue('_root', 100));
    issues.push(...contextMenuCountIssues(defs, '_root'));
    const seen = new Set<string>();
    defs.forEach((def, index) => {
      if (!isObj(def)) return;
      const key = `${String(asNumber(def.type) ?? 1)}:${asString(def.name) ?? ''}`;
      if (seen.has(key)) {
        issues.push({
          path: `${index}.name`,
          code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
          message: 'Duplicate command name',
        });
      }
      seen.add(key);
    });
    const refused = failing(world, ctx, issues);
    if (refused) return refused;
    const key = guildId ?? 'global';
    const previous = world.commandStore.get(key) ?? [];
    const stored = defs.filter(isObj).map((def) =>
      storeCommand(
        world,
        def,
        guildId,
        previous.find((c) => sameCommand(c, def)),
      ),
    );
    world.commandStore.set(key, stored);
    return { status: 200, body: stored };
  };

  const create: Handler = (ctx, p) => {
    const guildId = checkApplication(world, p, ctx);
    const def = isObj(ctx.body) ? ctx.body : {};
    const key = guildId ?? 'global';
    const current = world.commandStore.get(key) ?? [];
    const index = current.findIndex((c) => sameCommand(c, def));
    const after = index >= 0 ? current : [...current, def];
    const refused = failing(world, ctx, [
      ...commandIssues(ctx.body, '_root'),
      ...contextMenuCountIssues(after, '_root'),
    ]);
    if (refused) return refused;
    const stored = storeCommand(world, def, guildId, current[index]);
    if (index >= 0) current[index] = stored;
    else current.push(stored);
    world.commandStore.set(key, current);
    return { status: index >= 0 ? 200 : 201, body: stored };
  };

  const one = (ctx: RequestContext, p: Readonly<Record<string, string>>): [StoredCommand[], number] => {
    const guildId = checkApplication(world, p, ctx);
    const stored = world.commandStore.get(guildId ?? 'global') ?? [];
    const index = stored.findIndex((c) => c.id === p.command);
    if (index < 0) fail(apiError(404, 10063, 'Unknown application command'));
    return [stored, index];
  };

  const get: Handler = (ctx, p) => {
    const [stored, index] = one(ctx, p);
    return { status: 200, body: stored[index] };
  };

  const patch: Handler = (ctx, p) => {
    const [stored, index] = one(ctx, p);
    const current = stored[index];
    const merged = { ...current, ...(isObj(ctx.body) ? ctx.body : {}) };
    const refused = failing(world, ctx, commandIssues(merged, '_root'));
    if (refused) return refused;
    const next = storeCommand(world, merged, current?.guild_id, current);
    stored[index] = next;
    return { status: 200, body: next };
  };

  const remove: Handler = (ctx, p) => {
    const [stored, index] = one(ctx, p);
    stored.splice(index, 1);
    return { status: 204 };
  };

  return [
    route('GET', '/applications/:app/commands', true, list),
    route('PUT', '/applications/:app/commands', true, overwrite),
    route('POST', '/applications/:app/commands', true, create),
    route('GET', '/applications/:app/commands/:command', true, get),
    route('PATCH', '/applications/:app/commands/:command', true, patch),
    route('DELETE', '/applications/:app/commands/:command', true, remove),
    route('GET', '/applications/:app/guilds/:guild/commands', true, list),
    route('PUT', '/applications/:app/guilds/:guild/commands', true, overwrite),
    route('POST', '/applications/:app/guilds/:guild/commands', true, create),
    route('GET', '/applications/:app/guilds/:guild/commands/:command', true, get),
    route('PATCH', '/applications/:app/guilds/:guild/commands/:command', true, patch),
    route('DELETE', '/applications/:app/guilds/:guild/commands/:command', true, remove),
  ];
}
