/**
 * A local stand-in for Discord: one loopback HTTP server that serves the REST API under `/api/v10`, a
 * signed-URL CDN under `/attachments`, and a JSON gateway over WebSocket, so the real discord.js client
 * can be tested without the network.
 *
 * It keeps just enough state to answer like Discord (guilds, channels, threads, members' and the bot's
 * messages, interactions, registered commands) and it is strict where Discord is strict: a rule Discord
 * enforces (published body schemas, limits, rate limits, deadlines) is answered with Discord's HTTP error
 * *and* written to `violations`, so a test can assert that the bot stayed inside the rules instead of
 * merely surviving the error.
 *
 * Modules: state (the world), gateway (WebSocket), rest (routing, auth, global limit, schemas), schema
 * (discord-api-spec), checks (the stand-in's own body rules), limits (windows and 429s), messages,
 * interactions (what members do), render (JSON shapes), cdn (attachments), routes/* (one group each).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { onGatewayConnection, readyConnections } from './gateway.ts';
import { makeHandle, stateOf } from './handles.ts';
import {
  dispatchClick,
  dispatchCommand,
  dispatchMessageCommand,
  dispatchUserCommand,
} from './interactions.ts';
import { dispatchModalSubmit } from './modals.ts';
import { maxInWindow } from './limits.ts';
import { postMemberMessage } from './messages.ts';
import { snapshot } from './render.ts';
import { createRestHandler } from './rest.ts';
import { channelRoutes } from './routes/channels.ts';
import { commandRoutes } from './routes/commands.ts';
import { interactionRoutes } from './routes/interactions.ts';
import { metaRoutes } from './routes/meta.ts';
import { addChannel, createWorld, rejectWaiters, violate, wait } from './state.ts';
import type { DiscordStandIn, DiscordStandInOptions } from './types.ts';
import { DEFAULT_WAIT_MS, THREAD_TYPES } from './util.ts';

export { snowflake } from './util.ts';
export { contentVisible } from './render.ts';
export { maxInWindow } from './limits.ts';
export { schemaIssues } from './schema.ts';
export type * from './types.ts';

/**
 * Starts a stand-in on 127.0.0.1 at a free port. Point discord.js at it with
 * `new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiUrl } })` and log in with
 * `standIn.token`.
 */
export async function startDiscordStandIn(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
  const world = createWorld(opts);
  const routes = [
    ...metaRoutes(world),
    ...commandRoutes(world),
    ...interactionRoutes(world),
    ...channelRoutes(world),
  ];
  const handleRest = createRestHandler(world, routes);
  const server = createServer((req, res) => {
    handleRest(req, res).catch((error: unknown) => {
      violate(world, `stand-in crashed on ${req.method ?? '?'} ${req.url ?? '?'}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', world.urls.http);
    wss.handleUpgrade(req, socket, head, (ws) => onGatewayConnection(world, ws, url));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  world.urls = { http: `http://127.0.0.1:${port}`, gateway: `ws://127.0.0.1:${port}` };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      rejectWaiters(world);
      for (const conn of world.connections) conn.socket.terminate();
      world.connections.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return closing;
  };

  return {
    apiUrl: `${world.urls.http}/api`,
    gatewayUrl: world.urls.gateway,
    applicationId: world.applicationId,
    botUserId: world.botUserId,
    ownerId: world.ownerId,
    token: world.token,
    defaultUserId: world.defaultUserId,
    calls: world.calls,
    violations: world.violations,
    get rejected429() {
      return world.counters.rejected429;
    },
    get invalidRequests() {
      return world.counters.invalid;
    },
    requestTimes: () => [...world.globalTimes],
    maxRequestsPerSecond: () => maxInWindow(world.globalTimes, 1_000),
    sessions: () =>
      [...world.connections]
        .filter((c) => c.identified)
        .map((c) => ({
          sessionId: c.sessionId,
          shard: c.shard,
          intents: c.intents,
          guildIds: [...c.guildIds],
          ready: c.ready,
        })),
    waitForReady: (count = 1, timeoutMs = DEFAULT_WAIT_MS) =>
      wait(
        world,
        () => readyConnections(world).length >= count,
        timeoutMs,
        () =>
          `for ${count} ready gateway session(s); have ${readyConnections(world).length} of ${world.connections.size} open`,
      ),
    interact: (o) => makeHandle(world, dispatchCommand(world, o, undefined)),
    autocomplete: (o) => makeHandle(world, dispatchCommand(world, o, o.focused)),
    messageCommand: (o) => makeHandle(world, dispatchMessageCommand(world, o)),
    userCommand: (o) => makeHandle(world, dispatchUserCommand(world, o)),
    click: (o) => makeHandle(world, dispatchClick(world, o)),
    submitModal: (handle, values) =>
      makeHandle(world, dispatchModalSubmit(world, stateOf(world, handle), values)),
    postMessage: (o) => postMemberMessage(world, o),
    addThread: (o) => {
      const guild = world.guilds.get(o.guildId);
      const parent = guild?.channels.get(o.parentId);
      if (!guild || !parent || THREAD_TYPES.has(parent.type) || parent.type === 4) {
        throw new Error(`stand-in: ${o.parentId} is not a text channel of guild ${o.guildId}`);
      }
      const id = o.id ?? world.nextId();
      addChannel(world, {
        id,
        guildId: guild.id,
        name: o.name ?? `thread-${id.slice(-4)}`,
        type: o.type ?? 12,
        parentId: parent.id,
        position: 0,
        ownerId: world.defaultUserId,
        createdAt: world.clock(),
        autoArchiveDuration: 4_320,
        uncached: true,
      });
      return id;
    },
    message: (id) => {
      const m = world.messages.get(id);
      return m && !m.deleted ? snapshot(m) : undefined;
    },
    commands: (guildId) => [...(world.commandStore.get(guildId ?? 'global') ?? [])],
    channelMessages: (channelId) =>
      (world.channelLog.get(channelId) ?? []).filter((m) => !m.deleted).map(snapshot),
    typing: (channelId) => world.typing.filter((t) => channelId === undefined || t.channelId === channelId),
    close,
  };
}
