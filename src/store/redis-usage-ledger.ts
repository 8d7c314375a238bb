import type { Redis } from 'ioredis';
import { dayKey, monthKey } from './month.ts';
import {
  assertMonth,
  assertValidRecord,
  type GuildMonthUsage,
  type UsageLedger,
  type UsageRecord,
  type UsageTotals,
} from './usage-ledger.ts';

/** Field separator inside usage hashes; model names and snowflakes never contain it. */
const SEP = '|';

/**
 * The usage ledger in Redis, for several bot processes sharing one store. Exact under any
 * concurrency: every count is a server-side `HINCRBY`/`INCRBY` (Keyv has no atomic increment),
 * and one `record()` is one MULTI/EXEC transaction, so a request is counted everywhere or nowhere.
 *
 * Keys (one namespace per concept, colon-joined):
 * - `usage:<guild>:<yyyy-mm>` hash `<model>|<user>|{p,c,r}`: per member and model.
 * - `usage-total:<guild>:<yyyy-mm>` counter: the month's total tokens (the fast budget check).
 * - `usage-day:<guild>:<yyyy-mm-dd>` hash `<model>|{p,c,r}`: for the daily chart.
 * - `usage-key:<yyyy-mm>` hash `<model>|{p,c,r}`: the whole key's use, for operator alerts.
 * Durability is Redis's: run it with append-only persistence (the compose file does).
 */
export class RedisUsageLedger implements UsageLedger {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async record(r: UsageRecord): Promise<void> {
    assertValidRecord(r);
    const month = monthKey(r.at);
    const day = dayKey(r.at);
    const member = `${r.model}${SEP}${r.userId}${SEP}`;
    const model = `${r.model}${SEP}`;
    const results = await this.#redis
      .multi()
      .hincrby(`usage:${r.guildId}:${month}`, `${member}p`, r.promptTokens)
      .hincrby(`usage:${r.guildId}:${month}`, `${member}c`, r.completionTokens)
      .hincrby(`usage:${r.guildId}:${month}`, `${member}r`, 1)
      .incrby(`usage-total:${r.guildId}:${month}`, r.promptTokens + r.completionTokens)
      .hincrby(`usage-day:${r.guildId}:${day}`, `${model}p`, r.promptTokens)
      .hincrby(`usage-day:${r.guildId}:${day}`, `${model}c`, r.completionTokens)
      .hincrby(`usage-day:${r.guildId}:${day}`, `${model}r`, 1)
      .hincrby(`usage-key:${month}`, `${model}p`, r.promptTokens)
      .hincrby(`usage-key:${month}`, `${model}c`, r.completionTokens)
      .hincrby(`usage-key:${month}`, `${model}r`, 1)
      .exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new Error('Redis did not apply the usage record', { cause: failed?.[0] });
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
