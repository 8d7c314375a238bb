/**
 * The stand-in's gateway: a JSON WebSocket that says HELLO, answers heartbeats, checks IDENTIFY (token,
 * intents, shard) and sends READY plus one GUILD_CREATE per guild of the shard, then dispatches events.
 *
 * Limits: no RESUME (op 6 gets op 9 and discord.js re-identifies), no zlib transport compression (a
 * request for `compress=zlib-stream` is ignored; plain JSON text frames are accepted by discord.js), no
 * presences or member chunks. Privileged intents follow the app's portal switches: MessageContent only
 * when the stand-in was started with `messageContentIntent`, GuildMembers and GuildPresences never.
 */
import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { guildCreateJson } from './render.ts';
import { checkWaiters } from './state.ts';
import type { GatewayConnection, World } from './state.ts';
import {
  INTENT_GUILD_MEMBERS,
  INTENT_GUILD_PRESENCES,
  INTENT_MESSAGE_CONTENT,
  asArray,
  asNumber,
  isObj,
  rawText,
} from './util.ts';
import type { Obj } from './util.ts';

const HEARTBEAT_INTERVAL_MS = 41_250;

/** Discord's shard formula: `(guild_id >> 22) % shard_count`. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

function sendFrame(conn: GatewayConnection, payload: Obj): void {
  if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(payload));
}

/** Sends one DISPATCH (op 0) with the next sequence number. */
export function dispatch(conn: GatewayConnection, event: string, data: unknown): void {
  conn.seq += 1;
  sendFrame(conn, { op: 0, t: event, s: conn.seq, d: data });
}

/** Sessions that identified and were sent their guilds. */
export function readyConnections(world: World): GatewayConnection[] {
  return [...world.connections].filter((c) => c.ready);
}

/** Identified sessions that hold the guild (its shard). */
export function connectionsFor(world: World, guildId: string): GatewayConnection[] {
  return readyConnections(world).filter((c) => c.guildIds.includes(guildId));
}

/** The session an interaction for the guild goes to; throws the test's mistake in plain words. */
export function sessionFor(world: World, guildId: string): GatewayConnection {
  const conn = connectionsFor(world, guildId).at(-1);
  if (!conn) {
    throw new Error(
      `stand-in: no identified gateway session holds guild ${guildId}; await waitForReady() first`,
    );
  }
  return conn;
}

function identify(world: World, conn: GatewayConnection, data: unknown): void {
  if (conn.identified) {
    conn.socket.close(4005, 'Already authenticated.');
    return;
  }
  if (!isObj(data) || data.token !== world.token) {
    conn.socket.close(4004, 'Authentication failed.');
    return;
  }
  const intents = asNumber(data.intents);
  if (intents === undefined || !Number.isInteger(intents) || intents < 0) {
    conn.socket.close(4013, 'Invalid intent(s).');
    return;
  }
  const privileged =
    INTENT_GUILD_MEMBERS |
    INTENT_GUILD_PRESENCES |
    (world.settings.messageContentIntent ? 0 : INTENT_MESSAGE_CONTENT);
  if ((intents & privileged) !== 0) {
    conn.socket.close(4014, 'Disallowed intent(s).');
    return;
  }
  const shardField = asArray(data.shard);
  const shard: [number, number] = shardField
    ? [asNumber(shardField[0]) ?? -1, asNumber(shardField[1]) ?? 0]
    : [0, 1];
  if (shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
    conn.socket.close(4010, 'Invalid shard.');
    return;
  }
  conn.identified = true;
  conn.intents = intents;
  conn.shard = shard;
  conn.guildIds = [...world.guilds.keys()].filter((id) => shardOf(id, shard[1]) === shard[0]);
  dispatch(conn, 'READY', {
    v: 10,
    user: { ...world.botUser, verified: true, mfa_enabled: false, email: null },
    user_settings: {},
    guilds: conn.guildIds.map((id) => ({ id, unavailable: true })),
    session_id: conn.sessionId,
    session_type: 'normal',
    resume_gateway_url: world.urls.gateway,
    relationships: [],
    private_channels: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: ['local'],
    auth: {},
    application: { id: world.applicationId, flags: world.settings.messageContentIntent ? 1 << 19 : 0 },
    ...(shardField ? { shard } : {}),
    _trace: ['["gateway-stand-in",{"micros":0}]'],
  });
  for (const id of conn.guildIds) {
    const guild = world.guilds.get(id);
    if (guild) dispatch(conn, 'GUILD_CREATE', guildCreateJson(world, guild));
  }
  conn.ready = true;
  checkWaiters(world);
}

function onMessage(world: World, conn: GatewayConnection, data: RawData, isBinary: boolean): void {
  let payload: unknown;
  try {
    payload = isBinary ? undefined : (JSON.parse(rawText(data)) as unknown);
  } catch {
    payload = undefined;
  }
  if (!isObj(payload)) {
    conn.socket.close(4002, 'Error while decoding payload.');
    return;
  }
  switch (payload.op) {
    case 1:
      sendFrame(conn, { op: 11, d: null, s: null, t: null });
      return;
    case 2:
      identify(world, conn, payload.d);
      return;
    case 6:
      // Sessions are not kept; Discord answers an unknown session with op 9 d:false.
      sendFrame(conn, { op: 9, d: false, s: null, t: null });
      return;
    case 3:
    case 4:
    case 8:
      if (!conn.identified) conn.socket.close(4003, 'Not authenticated.');
      return;
    default:
      conn.socket.close(4001, 'Unknown opcode.');
  }
}

/** Handles one upgraded WebSocket: checks the query, sends HELLO and listens for IDENTIFY. */
export function onGatewayConnection(world: World, socket: WebSocket, url: URL): void {
  const conn: GatewayConnection = {
    socket,
    sessionId: randomBytes(16).toString('hex'),
    seq: 0,
    identified: false,
    ready: false,
    shard: [0, 1],
    guildIds: [],
    intents: 0,
  };
  world.connections.add(conn);
  socket.on('close', () => {
    world.connections.delete(conn);
    checkWaiters(world);
  });
  socket.on('error', () => {
    world.connections.delete(conn);
  });
  const version = url.searchParams.get('v');
  if (version !== null && version !== '10') {
    socket.close(4012, 'Invalid API version.');
    return;
  }
  if ((url.searchParams.get('encoding') ?? 'json') !== 'json') {
    socket.close(4002, 'Only JSON encoding is supported by the stand-in.');
    return;
  }
  socket.on('message', (data, isBinary) => onMessage(world, conn, data, isBinary));
  sendFrame(conn, {
    op: 10,
    d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS, _trace: ['["gateway-stand-in",{"micros":0}]'] },
    s: null,
    t: null,
  });
}
