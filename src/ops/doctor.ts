import { Redis } from 'ioredis';
import { ConfigError, loadConfig, sendIntervalMs, type Config } from '../config.ts';
import { formatTokens } from '../discord/reply.ts';
import { Pacer } from '../gate/pacer.ts';
import { UpstreamError, createMistralApi, type MistralApi } from '../mistral/client.ts';
import { modelCatalogue } from '../mistral/models.ts';
import type { RateLimitSnapshot } from '../mistral/rate-limit-headers.ts';
import { redactUrl } from '../redact.ts';
import { openStore } from '../store/open-store.ts';
import { inviteUrl } from './invite.ts';

/** How the doctor runs; `print` receives one finished line at a time, URL passwords shown as `***`. */
export interface DoctorOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Send one tiny completion per model to read its limit headers. */
  readonly probe: boolean;
  readonly print: (line: string) => void;
  /** Bound on each network check (default 10 s). */
  readonly timeoutMs?: number;
}

type Mark = '✓' | '✗' | '⚠';

/**
 * Checks a configuration without starting the bot: every variable (with start-up's own messages),
 * the Discord token (who the bot is), the Mistral key (which configured models it can see; with
 * `probe`, each model's limits), the store (a write and a delete) and Redis (a PING), then prints
 * the invite URL. Prints ✓/✗/⚠ lines; resolves to the exit code: 0 only when nothing needed is
 * broken (⚠ lines are advice: e.g. an optional model the key cannot use).
 */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  // Every line, whatever produced its text (a library's error quoting its connection string too).
  const print = (text: string) => options.print(redactUrl(text));
  let failures = 0;
  const line = (mark: Mark, text: string) => {
    if (mark === '✗') failures++;
    print(`${mark} ${text}`);
  };

  let config: Config;
  try {
    config = loadConfig(options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) line('✗', problem);
    print('See .env.example for every variable. Nothing else was checked.');
    return 1;
  }
  line('✓', 'configuration: every variable is well-formed');

  const timeoutMs = options.timeoutMs ?? 10_000;
  const applicationId = await checkDiscord(config, timeoutMs, line);
  await checkMistral(config, options.probe, line);
  await checkStore(config, line);
  await checkRedis(config, line);

  print('');
  print(
    applicationId
      ? `Invite URL: ${inviteUrl(applicationId)}`
      : 'Invite URL: unknown until the Discord token works (it needs the application ID).',
  );
  print(
    failures === 0
      ? 'Everything needed is fine.'
      : `${failures} ${failures === 1 ? 'problem needs' : 'problems need'} fixing (✗ lines).`,
  );
  return failures === 0 ? 0 : 1;
}

type Line = (mark: Mark, text: string) => void;

/** Who the token logs in as, and the application behind it; returns the application ID. */
async function checkDiscord(config: Config, timeoutMs: number, line: Line): Promise<string | undefined> {
  const get = async (path: string) =>
    fetch(`${config.discordApiUrl}/v10${path}`, {
      headers: { authorization: `Bot ${config.discordToken}`, 'user-agent': 'DiscordBot (doctor, 1.0)' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  let me: Response;
  try {
    me = await get('/users/@me');
  } catch (error) {
    line('✗', `Discord: could not reach ${redactUrl(config.discordApiUrl)} (${reasonOf(error)})`);
    return undefined;
  }
  if (me.status === 401) {
    line(
      '✗',
      'DISCORD_TOKEN was refused by Discord (401): copy a fresh token from the developer portal (Bot → Reset Token)',
    );
    return undefined;
  }
  if (!me.ok) {
    line('✗', `Discord: GET /users/@me answered ${me.status}`);
    return undefined;
  }
  const user = (await me.json()) as { id?: string; username?: string; bot?: boolean };
  if (user.bot !== true) {
    line('✗', `DISCORD_TOKEN belongs to the user account ${user.username ?? '?'}, not a bot`);
    return undefined;
  }
  line('✓', `Discord token: logs in as ${user.username ?? '?'} (user ${user.id ?? '?'})`);
  try {
    const app = await get('/applications/@me');
    if (!app.ok) {
      line('✗', `Discord: GET /applications/@me answered ${app.status}`);
      return undefined;
    }
    const data = (await app.json()) as {
      id?: string;
      name?: string;
      owner?: { username?: string };
      team?: { name?: string } | null;
      approximate_guild_count?: number;
    };
    const owner = data.team?.name ? `team ${data.team.name}` : (data.owner?.username ?? 'unknown owner');
    const guilds =
      typeof data.approximate_guild_count === 'number'
        ? `, in about ${data.approximate_guild_count} servers`
        : '';
    line('✓', `Discord application: ${data.name ?? '?'} (${data.id ?? '?'}), owned by ${owner}${guilds}`);
    return data.id;
  } catch (error) {
    line('✗', `Discord: could not read the application (${reasonOf(error)})`);
    return undefined;
  }
}

/** Which configured models the key can see; with `probe`, each one's limits. */
async function checkMistral(config: Config, probe: boolean, line: Line): Promise<void> {
  const limits = new Map<string, RateLimitSnapshot>();
  const pacer = new Pacer(sendIntervalMs(config));
  pacer.markSent(); // a bot stopped a moment ago may have just sent one
  const mistral = createMistralApi({
    serverUrl: config.mistralServerUrl,
    apiKey: config.mistralApiKey,
    timeoutMs: config.mistralTimeoutMs,
    beforeSend: () => pacer.waitTurn(),
    onSent: () => pacer.markSent(),
    onLimits: (model, snapshot) => limits.set(model, snapshot),
  });
  try {
    let visible: Set<string>;
    try {
      visible = new Set(await mistral.listModels());
    } catch (error) {
      if (error instanceof UpstreamError && error.kind === 'unauthorized') {
        line(
          '✗',
          `MISTRAL_API_KEY was refused by Mistral (${error.status ?? 401}): create a key at console.mistral.ai`,
        );
      } else {
        line(
          '✗',
          `Mistral: could not list models at ${redactUrl(config.mistralServerUrl)} (${reasonOf(error)})`,
        );
      }
      return;
    }
    const offered = modelCatalogue(config.models, config.defaultModel);
    const seen = offered.filter((m) => visible.has(m));
    const unseen = offered.filter((m) => !visible.has(m));
    line(
      '✓',
      `Mistral key: accepted; it sees ${visible.size} models, ${seen.length} of the ${offered.length} offered`,
    );
    if (!visible.has(config.defaultModel)) {
      line(
        '✗',
        `DEFAULT_MODEL ${config.defaultModel} is not visible to this key: choose one of ${seen.slice(0, 5).join(', ') || 'its models'}`,
      );
    }
    const optionalUnseen = unseen.filter((m) => m !== config.defaultModel);
    if (optionalUnseen.length > 0) {
      line('⚠', `not visible to this key, so /ask with them will fail: ${optionalUnseen.join(', ')}`);
    }
    if (!probe) return;
    const seconds = Math.ceil((seen.length * pacer.intervalMs) / 1000);
    line(
      '✓',
      `probing ${seen.length} models at ${config.requestsPerSecond}/s (about ${seconds} s, a few tokens each)`,
    );
    for (const model of seen) await probeModel(mistral, model, model === config.defaultModel, limits, line);
  } finally {
    mistral.close();
  }
}

async function probeModel(
  mistral: MistralApi,
  model: string,
  needed: boolean,
  limits: ReadonlyMap<string, RateLimitSnapshot>,
  line: Line,
): Promise<void> {
  const bad: Mark = needed ? '✗' : '⚠';
  try {
    await mistral.complete({
      model,
      messages: [{ role: 'user', content: 'Reply with one word.' }],
      maxTokens: 1,
    });
    line('✓', `${model}: ${describeLimits(limits.get(model))}`);
  } catch (error) {
    const snapshot = limits.get(model);
    if (!(error instanceof UpstreamError)) {
      line(bad, `${model}: probe failed (${reasonOf(error)})`);
      return;
    }
    switch (error.kind) {
      case 'model_unavailable':
        line(bad, `${model}: unavailable on this key's plan (its limit is 0); the bot hides it`);
        return;
      case 'quota_exhausted':
        line(bad, `${model}: this month's token quota is spent (${describeLimits(snapshot)})`);
        return;
      case 'rate_limited':
        line(
          '⚠',
          `${model}: rate-limited right now (is the bot running on this key?); ${describeLimits(snapshot)}`,
        );
        return;
      default:
        line(bad, `${model}: ${error.message}${error.status ? ` (${error.status})` : ''}`);
    }
  }
}

/** `50 requests/min · 50,000 tokens/min · 4,000,000 tokens/month (3,999,990 left)`. */
export function describeLimits(s: RateLimitSnapshot | undefined): string {
  if (!s) return 'answered; it sent no limit headers';
  const parts: string[] = [];
  const add = (w: { limit?: number; remaining?: number } | undefined, unit: string, showLeft: boolean) => {
    if (w?.limit === undefined) return;
    const left = showLeft && w.remaining !== undefined ? ` (${formatTokens(w.remaining)} left)` : '';
    parts.push(`${formatTokens(w.limit)} ${unit}${left}`);
  };
  add(s.requestsPerMinute, 'requests/min', false);
  add(s.tokensPerMinute, 'tokens/min', false);
  add(s.tokensPerMonth, 'tokens/month', true);
  return parts.length > 0 ? parts.join(' · ') : 'answered; it sent no limit headers';
}

/** A write, a read and a delete through Keyv, and the usage ledger's ping. */
async function checkStore(config: Config, line: Line): Promise<void> {
  let store;
  try {
    store = await openStore(config.databaseUrl);
  } catch (error) {
    line('✗', `store: ${reasonOf(error)}`);
    return;
  }
  try {
    const keyv = store.keyv('doctor');
    const nonce = `${process.pid}-${Date.now()}`;
    await keyv.set('write-test', nonce);
    const read: unknown = await keyv.get('write-test');
    await keyv.delete('write-test');
    if (read !== nonce) throw new Error('a value written could not be read back');
    await store.usage.ping();
    line('✓', `store ${redactUrl(config.databaseUrl)}: writable`);
  } catch (error) {
    line('✗', `store ${redactUrl(config.databaseUrl)}: ${reasonOf(error)}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** A PING with a short timeout, when Redis is configured for the gate or the store. */
async function checkRedis(config: Config, line: Line): Promise<void> {
  const urls = [config.redisUrl, /^rediss?:/.test(config.databaseUrl) ? config.databaseUrl : undefined];
  for (const url of new Set(urls.filter((u): u is string => u !== undefined))) {
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 3_000,
      commandTimeout: 3_000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const t0 = performance.now();
    try {
      await redis.connect();
      const pong: string = await redis.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
      line('✓', `Redis ${redactUrl(url)}: answers PING (${Math.round(performance.now() - t0)} ms)`);
    } catch (error) {
      line('✗', `Redis ${redactUrl(url)}: ${reasonOf(error)}`);
    } finally {
      redis.disconnect();
    }
  }
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.replace(/\s+/g, ' ').slice(0, 200);
}
