import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MIN_ANSWER_TOKENS, type HoldOutcome, type HoldRefusal, type HoldRequest } from '../budget/hold.ts';
import { dayKey, monthKey } from './month.ts';
import {
  assertMonth,
  assertValidHold,
  assertValidRecord,
  type GuildMonthUsage,
  type HeldTokens,
  type UsageLedger,
  type UsageRecord,
  type UsageTotals,
} from './usage-ledger.ts';

/** Field separator inside usage hashes; model names and snowflakes never contain it. */
const SEP = '|';

/** Settled hold IDs are kept this long, so a late retry of a settle cannot count twice. */
const SETTLED_KEEP_MS = 2 * 24 * 3_600_000;

/** Redis's own clock (every process shares it), in epoch ms. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Live holds of a server (KEYS[1], hash holdId → "user|tokens|expiresAtMs"): drops expired ones and
 * sums the rest into `held` and, for ARGV[2] (a user), `memberHeld`.
 */
const SUM_HOLDS = `
local held, memberHeld, perUser = 0, 0, {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local user, tokens, expires = string.match(fields[i + 1], '^([^|]*)|(%d+)|(%d+)$')
  if expires == nil or tonumber(expires) <= now then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    held = held + tonumber(tokens)
    perUser[user] = (perUser[user] or 0) + tonumber(tokens)
  end
end`;

/** Reply codes of {@link RESERVE}, by position. */
const HOLD_CODES: readonly ('ok' | HoldRefusal)[] = [
  'ok',
  'guild_spent',
  'guild_too_small',
  'member_spent',
  'member_too_small',
];

/**
 * The check and the hold in one script (src/budget/hold.ts `decideHold`, the same formula).
 * KEYS: hold hash, month total, per-member month totals, per-member-and-model month hash (to fill
 * the per-member totals of a month recorded before they existed). ARGV: holdId, user, guild limit,
 * member limit (-1 = none), prompt tokens, max answer tokens, min answer tokens, ttl ms.
 */
const RESERVE = `${NOW}
${SUM_HOLDS}
memberHeld = perUser[ARGV[2]] or 0
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('EXISTS', KEYS[3]) == 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  local fields = redis.call('HGETALL', KEYS[4])
  for i = 1, #fields, 2 do
    local user, kind = string.match(fields[i], '^[^|]*|([^|]*)|([pc])$')
    if user ~= nil then redis.call('HINCRBY', KEYS[3], user, tonumber(fields[i + 1])) end
  end
end
local memberUsed = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
local guildLeft = math.max(0, tonumber(ARGV[3]) - used - held)
local memberLeft = guildLeft
if tonumber(ARGV[4]) >= 0 then memberLeft = math.max(0, tonumber(ARGV[4]) - memberUsed - memberHeld) end
local function reply(code, tokens, maxTokens)
  return { code, tokens, maxTokens, used, held, memberUsed, memberHeld }
end
if guildLeft <= 0 then return reply(1, 0, 0) end
if memberLeft <= 0 then return reply(3, 0, 0) end
local room = math.min(guildLeft, memberLeft) - tonumber(ARGV[5])
if room < tonumber(ARGV[7]) then
  if memberLeft < guildLeft then return reply(4, 0, 0) end
  return reply(2, 0, 0)
end
local maxTokens = math.min(tonumber(ARGV[6]), room)
local tokens = tonumber(ARGV[5]) + maxTokens
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. tokens .. '|' .. (now + tonumber(ARGV[8])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[8]) * 2)
return reply(0, tokens, maxTokens)`;

/**
 * Replaces a hold by its usage, exactly once (the `settled:<id>` marker). KEYS: marker, hold hash,
 * per-member-and-model month hash, month total, per-member month totals, day hash, whole-key month
 * hash. ARGV: holdId, model, user, prompt tokens, completion tokens, marker ttl. Replies 1, or 0 when
 * the hold was settled before.
 */
const SETTLE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', tonumber(ARGV[6])) == false then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local p, c = tonumber(ARGV[4]), tonumber(ARGV[5])
local member = ARGV[2] .. '|' .. ARGV[3] .. '|'
local model = ARGV[2] .. '|'
redis.call('HINCRBY', KEYS[3], member .. 'p', p)
redis.call('HINCRBY', KEYS[3], member .. 'c', c)
redis.call('HINCRBY', KEYS[3], member .. 'r', 1)
redis.call('INCRBY', KEYS[4], p + c)
redis.call('HINCRBY', KEYS[5], ARGV[3], p + c)
redis.call('HINCRBY', KEYS[6], model .. 'p', p)
redis.call('HINCRBY', KEYS[6], model .. 'c', c)
redis.call('HINCRBY', KEYS[6], model .. 'r', 1)
redis.call('HINCRBY', KEYS[7], model .. 'p', p)
redis.call('HINCRBY', KEYS[7], model .. 'c', c)
redis.call('HINCRBY', KEYS[7], model .. 'r', 1)
return 1`;

/** Live holds of a server per user, as a flat list user, tokens, user, tokens… */
const HELD = `${NOW}
${SUM_HOLDS}
local out = {}
for user, tokens in pairs(perUser) do out[#out + 1] = user out[#out + 1] = tokens end
return out`;

/**
 * The usage ledger in Redis, for several bot processes sharing one store. Exact under any
 * concurrency: every count is a server-side `HINCRBY`/`INCRBY` (Keyv has no atomic increment),
 * and holds, settles and records are Lua scripts, so each is one atomic step for every process:
 * a request is counted everywhere or nowhere, and two processes cannot spend the same tokens.
 *
 * Keys (one namespace per concept, colon-joined):
 * - `usage:<guild>:<yyyy-mm>` hash `<model>|<user>|{p,c,r}`: per member and model.
 * - `usage-total:<guild>:<yyyy-mm>` counter: the month's total tokens (the fast budget check).
 * - `usage-day:<guild>:<yyyy-mm-dd>` hash `<model>|{p,c,r}`: for the daily chart.
 * - `usage-key:<yyyy-mm>` hash `<model>|{p,c,r}`: the whole key's use, for operator alerts.
 * - `usage-member:<guild>:<yyyy-mm>` hash `<user>` → tokens: the member-share check.
 * - `hold:<guild>` hash `<holdId>` → `<user>|<tokens>|<expiresAtMs>`: questions in flight.
 * - `settled:<holdId>`: marks a settled hold for two days (exactly-once settles).
 * Durability is Redis's: run it with append-only persistence (the compose file does).
 */
export class RedisUsageLedger implements UsageLedger {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async record(r: UsageRecord): Promise<void> {
    await this.settle(`record-${randomUUID()}`, r);
  }

  async reserve(r: HoldRequest): Promise<HoldOutcome> {
    assertValidHold(r);
    const reply = await this.#redis.eval(
      RESERVE,
      4,
      `hold:${r.guildId}`,
      `usage-total:${r.guildId}:${r.month}`,
      `usage-member:${r.guildId}:${r.month}`,
      `usage:${r.guildId}:${r.month}`,
      r.holdId,
      r.userId,
      String(r.guildLimit),
      r.memberLimit === Infinity ? '-1' : String(r.memberLimit),
      String(r.promptTokens),
      String(r.maxAnswerTokens),
      String(MIN_ANSWER_TOKENS),
      String(r.ttlMs),
    );
    if (!Array.isArray(reply) || reply.length !== 7) throw new Error('Redis answered the hold script oddly');
    const [code, tokens, maxTokens, guildUsed, guildHeld, memberUsed, memberHeld] = reply.map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const numbers = { guildUsed, guildHeld, memberUsed, memberHeld };
    const reason = HOLD_CODES[code];
    if (reason === undefined) throw new Error(`Redis answered the hold script with code ${code}`);
    return reason === 'ok' ? { ok: true, tokens, maxTokens, numbers } : { ok: false, reason, numbers };
  }

  async settle(holdId: string, r: UsageRecord): Promise<boolean> {
    assertValidRecord(r);
    const month = monthKey(r.at);
    const day = dayKey(r.at);
    const reply = await this.#redis.eval(
      SETTLE,
      7,
      `settled:${holdId}`,
      `hold:${r.guildId}`,
      `usage:${r.guildId}:${month}`,
      `usage-total:${r.guildId}:${month}`,
      `usage-member:${r.guildId}:${month}`,
      `usage-day:${r.guildId}:${day}`,
      `usage-key:${month}`,
      holdId,
      r.model,
      r.userId,
      String(r.promptTokens),
      String(r.completionTokens),
      String(SETTLED_KEEP_MS),
    );
    return Number(reply) === 1;
  }

  async release(holdId: string, guildId: string): Promise<void> {
    await this.#redis.hdel(`hold:${guildId}`, holdId);
  }

  async held(guildId: string): Promise<HeldTokens> {
    const reply = await this.#redis.eval(HELD, 1, `hold:${guildId}`);
    const byUser = new Map<string, number>();
    let total = 0;
    const flat = Array.isArray(reply) ? reply.map(String) : [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const tokens = Number(flat[i + 1]);
      byUser.set(flat[i] as string, tokens);
      total += tokens;
    }
    return { total, byUser };
  }

  async memberMonthTotal(guildId: string, userId: string, month: string): Promise<number> {
    assertMonth(month);
    const counted = await this.#redis.hget(`usage-member:${guildId}:${month}`, userId);
    if (counted !== null) return Number(counted);
    // Months recorded before the per-member counter existed: sum the member's fields.
    const hash = await this.#redis.hgetall(`usage:${guildId}:${month}`);
    let total = 0;
    for (const [field, raw] of Object.entries(hash)) {
      const [, user, kind] = field.split(SEP);
      if (user === userId && (kind === 'p' || kind === 'c')) total += Number(raw);
    }
    return total;
  }

  async monthTotal(guildId: string, month: string): Promise<number> {
    assertMonth(month);
    return Number((await this.#redis.get(`usage-total:${guildId}:${month}`)) ?? 0);
  }

  async monthReport(guildId: string, month: string): Promise<GuildMonthUsage> {
    assertMonth(month);
    const [year, mm] = month.split('-').map(Number) as [number, number];
    const daysInMonth = new Date(Date.UTC(year, mm, 0)).getUTCDate();
    const days = Array.from({ length: daysInMonth }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
    const pipeline = this.#redis.pipeline().hgetall(`usage:${guildId}:${month}`);
    for (const day of days) pipeline.hgetall(`usage-day:${guildId}:${day}`);
    const replies = (await pipeline.exec()) ?? [];
    const hashes = replies.map(([error, value]) => {
      if (error) throw error;
      return value as Record<string, string>;
    });
    const [monthly = {}, ...daily] = hashes;

    const byMember = groupCounts(monthly, 2);
    const byModel = new Map<string, Counts>();
    const byUser = new Map<string, Counts>();
    for (const [key, counts] of byMember) {
      const [model, userId] = key.split(SEP) as [string, string];
      add(byModel, model, counts);
      add(byUser, userId, counts);
    }
    const byDay = daily.flatMap((hash, i) =>
      [...groupCounts(hash, 1)].map(([model, counts]) => ({
        day: days[i] as string,
        model,
        ...totals(counts),
      })),
    );
    byDay.sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model));
    const sorted = <K extends string>(map: Map<string, Counts>, key: K) =>
      [...map]
        .map(([name, counts]) => ({ [key]: name, ...totals(counts) }) as { [P in K]: string } & UsageTotals)
        .sort((a, b) => b.totalTokens - a.totalTokens || a[key].localeCompare(b[key]));
    const all: Counts = { p: 0, c: 0, r: 0 };
    for (const counts of byModel.values()) addInto(all, counts);
    return {
      month,
      total: totals(all),
      byModel: sorted(byModel, 'model'),
      byUser: sorted(byUser, 'userId'),
      byDay,
    };
  }

  async keyMonthByModel(month: string): Promise<ReadonlyArray<{ model: string } & UsageTotals>> {
    assertMonth(month);
    const hash = await this.#redis.hgetall(`usage-key:${month}`);
    return [...groupCounts(hash, 1)]
      .map(([model, counts]) => ({ model, ...totals(counts) }))
      .sort((a, b) => b.totalTokens - a.totalTokens || a.model.localeCompare(b.model));
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }
}

interface Counts {
  p: number;
  c: number;
  r: number;
}

/** Groups `a|b|k` fields (with `parts` name parts before the kind) into counts per name. */
function groupCounts(hash: Record<string, string>, parts: number): Map<string, Counts> {
  const out = new Map<string, Counts>();
  for (const [field, raw] of Object.entries(hash)) {
    const pieces = field.split(SEP);
    if (pieces.length !== parts + 1) continue;
    const kind = pieces[parts] as string;
    if (kind !== 'p' && kind !== 'c' && kind !== 'r') continue;
    const name = pieces.slice(0, parts).join(SEP);
    const counts = out.get(name) ?? { p: 0, c: 0, r: 0 };
    counts[kind] += Number(raw);
    out.set(name, counts);
  }
  return out;
}

function addInto(into: Counts, from: Counts): void {
  into.p += from.p;
  into.c += from.c;
  into.r += from.r;
}

function add(map: Map<string, Counts>, key: string, counts: Counts): void {
  const into = map.get(key) ?? { p: 0, c: 0, r: 0 };
  addInto(into, counts);
  map.set(key, into);
}

function totals(c: Counts): UsageTotals {
  return { promptTokens: c.p, completionTokens: c.c, totalTokens: c.p + c.c, requests: c.r };
}
