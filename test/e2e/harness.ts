import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { startBot, type RunningBot } from '../../src/app.ts';
import {
  snowflake,
  startDiscordStandIn,
  type DiscordStandIn,
  type InteractOptions,
} from '../standins/discord.ts';
import { startMistralStandIn, type MistralStandIn, type MistralStandInOptions } from '../standins/mistral.ts';
import { watchCleanRun, type Injected } from '../support/clean-run.ts';

export type { Injected } from '../support/clean-run.ts';

/** Permission bits used in tests. */
export const PERMS = {
  member: (1n << 10n) | (1n << 11n) | (1n << 31n), // ViewChannel | SendMessages | UseApplicationCommands
  manageChannels: 1n << 4n,
  manageGuild: 1n << 5n,
} as const;

export interface Harness {
  readonly discord: DiscordStandIn;
  readonly mistral: MistralStandIn;
  readonly bot: RunningBot;
  readonly config: Config;
  readonly dataDir: string;
  /** Guilds with one text channel each: `guilds[i].channelId`. */
  readonly guilds: ReadonlyArray<{ guildId: string; channelId: string; threadId: string }>;
  /** Dispatches a command in guild `g` (index), in its text channel unless `channelId` is given. */
  run(
    g: number,
    opts: Omit<InteractOptions, 'guildId' | 'channelId'> & { channelId?: string },
  ): ReturnType<DiscordStandIn['interact']>;
  /** Stops the bot (for restart tests) without closing the stand-ins. */
  stopBot(): Promise<void>;
  /** Starts a new bot over the same data and stand-ins. */
  restartBot(): Promise<RunningBot>;
  /** Declares the 429s and violations the current test causes on purpose (see `assertCleanRun`). */
  expectInjected(injected: Injected): void;
  /**
   * The clean-run check, for `afterEach`: since the previous check, zero Mistral and Discord 429s and
   * violations, or exactly what the test declared with `expectInjected`.
   */
  assertCleanRun(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly guildCount?: number;
  /** Extra variables; a function gets the generated guilds (to name their channels). */
  readonly env?:
    Readonly<Record<string, string>> | ((guilds: Harness['guilds']) => Readonly<Record<string, string>>);
  readonly mistral?: MistralStandInOptions;
  readonly ownerId?: string;
  readonly dataDir?: string;
  /** Each guild's `preferred_locale` (its server language), by index; default `en-US`. */
  readonly guildLocales?: readonly string[];
}

/**
 * Starts the local Discord and Mistral stand-ins and the real bot (real discord.js, real SDK,
 * a temp SQLite file) against them.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const guilds = Array.from({ length: opts.guildCount ?? 3 }, () => ({
    guildId: snowflake(),
    channelId: snowflake(),
    threadId: snowflake(),
  }));
  const discord = await startDiscordStandIn({
    ...(opts.ownerId ? { ownerId: opts.ownerId } : {}),
    guilds: guilds.map((g, i) => ({
      id: g.guildId,
      name: `Server ${i + 1}`,
      ...(opts.guildLocales?.[i] ? { preferredLocale: opts.guildLocales[i] } : {}),
      channels: [
        { id: g.channelId, name: 'general', type: 0 },
        { id: g.threadId, name: 'a-thread', type: 11, parentId: g.channelId },
      ],
    })),
  });
  const mistral = await startMistralStandIn({ requestsPerSecond: 1, ...opts.mistral });
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bot-e2e-'));
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    MISTRAL_API_KEY: 'test-key',
    DISCORD_API_URL: discord.apiUrl,
    MISTRAL_SERVER_URL: mistral.url,
    DATABASE_URL: `sqlite://${join(dataDir, 'bot.sqlite')}`,
    LOG_LEVEL: 'silent',
    // The stand-ins share this process's event loop with the bot, so a busy moment can stamp one
    // arrival late and make the next look early; a wider start margin than production's 15 ms
    // keeps that artefact out of the 429 counts (the benchmark measures 15 ms across processes).
    MISTRAL_START_MARGIN_MS: '40',
    // Member shares are tested on purpose (members.test.ts); elsewhere one member may use the server's month.
    MEMBER_MONTHLY_TOKEN_SHARE: '100%',
    ...(typeof opts.env === 'function' ? opts.env(guilds) : opts.env),
  });
  const log = pino({ level: process.env.E2E_LOG ?? 'silent' });
  // Watching from before start-up makes the first test's check cover what start-up sent too.
  const clean = watchCleanRun({ discord, mistral });
  let bot = await startBot(config, log);
  return {
    discord,
    mistral,
    get bot() {
      return bot;
    },
    config,
    dataDir,
    guilds,
    run(g, o) {
      const guild = guilds[g];
      if (!guild) throw new Error(`no guild ${g}`);
      return discord.interact({ guildId: guild.guildId, channelId: o.channelId ?? guild.channelId, ...o });
    },
    async stopBot() {
      await bot.stop();
    },
    async restartBot() {
      bot = await startBot(config, log);
      return bot;
    },
    expectInjected: (injected) => clean.expectInjected(injected),
    assertCleanRun: () => clean.assertCleanRun(),
    async close() {
      await bot.stop();
      await discord.close();
      await mistral.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The text of every message a user sees for an interaction, joined. */
export function seen(handle: { allMessages(): ReadonlyArray<{ content: string }> }): string {
  return handle
    .allMessages()
    .map((m) => m.content)
    .join('\n');
}

/** The footer that ends every answer: `-# <model> · <n> tokens` (`~<n>` when estimated). */
export const FOOTER =
  /\n-# (\S+) · (~?)([\d,]+) tokens(?: · \d+ earlier turns? remembered)?(?: · thought for \d+ s)?$/;

/** Whether an /ask has been answered completely: its last message ends with the footer. */
export function answered(handle: { allMessages(): ReadonlyArray<{ content: string }> }): boolean {
  return FOOTER.test(handle.allMessages().at(-1)?.content ?? '');
}
