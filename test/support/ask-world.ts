/**
 * The ask core wired as src/app.ts wires it, over real pieces: an in-memory SQLite database holding
 * the usage ledger and the Keyv settings (the project's `SqliteKeyvStore`, `throwOnErrors`), the real
 * `BudgetService`, `RequestGate` over an in-process `Pacer`, `ChannelProfiles`, `ConversationMemory`
 * and `ModelDirectory`. Only Mistral is a fake ({@link ScriptedMistral}); the sink is each test's own.
 * The budget and the gate are seen through thin recording wrappers, so a test can tell that nothing
 * was reserved or that nothing joined the line.
 */
import type { DatabaseSync } from 'node:sqlite';
import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { AskService, type AskGate, type AskServiceOptions } from '../../src/ask/ask-service.ts';
import type { GateRequest as GateJob } from '../../src/gate/gate.ts';
import { ConversationMemory } from '../../src/ask/conversation.ts';
import { Cooldowns } from '../../src/ask/cooldowns.ts';
import { ChannelProfiles } from '../../src/ask/profile.ts';
import type { AskRequest } from '../../src/ask/request.ts';
import type { AnswerSink } from '../../src/ask/sink.ts';
import {
  BudgetService,
  type BudgetHold,
  type Charge,
  type MemberShare,
} from '../../src/budget/budget-service.ts';
import { RequestGate, type GateOptions } from '../../src/gate/gate.ts';
import { Pacer } from '../../src/gate/pacer.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { ModelDirectory } from '../../src/mistral/models.ts';
import { monthKey } from '../../src/store/month.ts';
import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { createSettingsStore, type SettingsStore } from '../../src/store/settings.ts';
import { SqliteKeyvStore } from '../../src/store/sqlite-keyv-store.ts';
import { SqliteUsageLedger } from '../../src/store/sqlite-usage-ledger.ts';
import { ScriptedMistral } from './fake-mistral.ts';

export const GUILD = '100000000000000001';
export const CHANNEL = '200000000000000001';
export const MEMBER = '300000000000000001';
export const DEFAULT_MODEL = 'mistral-small-latest';
export const MODELS: readonly string[] = ['mistral-small-latest', 'mistral-large-latest', 'codestral-2508'];

/** A logger whose JSON lines land in `lines` (parsed). */
export function captureLog(level = 'debug'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger(level, { destination }), lines };
}

/** Keyv over the project's SQLite adapter, one adapter per namespace, throwing on errors (as open-store.ts). */
export function sqliteKeyv(db: DatabaseSync): (namespace: string) => Keyv {
  return (namespace) =>
    new Keyv({ store: new SqliteKeyvStore(db, { sweepIntervalMs: 0 }), namespace, throwOnErrors: true });
}

export type BudgetCall =
  | {
      readonly kind: 'reserve';
      readonly promptTokens: number;
      readonly withContext: boolean;
      readonly hold?: BudgetHold;
      readonly error?: unknown;
      /** Tokens held in the server right after this hold was placed (read from the ledger). */
      readonly heldAfter?: number;
    }
  | { readonly kind: 'settle'; readonly hold: BudgetHold; readonly charge: Charge }
  | { readonly kind: 'release'; readonly hold: BudgetHold };

export interface AskWorldOptions {
  readonly guildMonthlyTokens?: number;
  readonly memberShare?: MemberShare;
  readonly maxAnswerTokens?: number;
  readonly maxPromptChars?: number;
  /** `MEMBER_COOLDOWN_SECONDS` in ms, with the clock the cooldowns read. */
  readonly cooldown?: { readonly ms: number; readonly now: () => number };
  readonly gate?: Partial<Omit<GateOptions, 'pacer' | 'log'>>;
  /** The pacer's interval (default 5 ms). */
  readonly pacerMs?: number;
  readonly conversationMaxTokens?: number;
  readonly mistral?: ScriptedMistral;
}

export interface AskWorld {
  readonly db: DatabaseSync;
  readonly ledger: SqliteUsageLedger;
  readonly settings: SettingsStore;
  readonly budget: BudgetService;
  readonly budgetCalls: BudgetCall[];
  readonly pacer: Pacer;
  readonly gate: RequestGate;
  readonly joins: Array<GateJob<unknown>>;
  readonly mistral: ScriptedMistral;
  readonly models: ModelDirectory;
  readonly conversations: ConversationMemory;
  readonly service: AskService;
  readonly logLines: Array<Record<string, unknown>>;
  /** A question with sensible defaults (one text part, guild/channel/member above). */
  request(overrides?: Partial<AskRequest>): AskRequest;
  /** `service.answer`, for brevity. */
  ask(request: AskRequest, sink: AnswerSink): ReturnType<AskService['answer']>;
  /** Tokens held right now in a server (ledger). */
  held(guildId?: string): Promise<number>;
  /** Tokens recorded this month for a server (ledger). */
  used(guildId?: string): Promise<number>;
  close(): Promise<void>;
}

export async function askWorld(options: AskWorldOptions = {}): Promise<AskWorld> {
  const db = openSqliteDatabase('sqlite://:memory:');
  const ledger = new SqliteUsageLedger(db);
  const keyv = sqliteKeyv(db);
  const settings = createSettingsStore(keyv);
  const { log, lines } = captureLog();
  const budget = new BudgetService({
    ledger,
    settings,
    guildMonthlyTokens: options.guildMonthlyTokens ?? 100_000,
    memberShare: options.memberShare ?? { kind: 'percent', percent: 100 },
    log: log.child({ component: 'budget' }),
    retryMs: { first: 5, max: 20 },
  });
  const budgetCalls: BudgetCall[] = [];
  const recordingBudget: AskServiceOptions['budget'] = {
    async reserve(q) {
      try {
        const hold = await budget.reserve(q);
        const heldAfter = (await ledger.held(q.guildId)).total;
        budgetCalls.push({
          kind: 'reserve',
          promptTokens: q.promptTokens,
          withContext: q.withContext === true,
          hold,
          heldAfter,
        });
        return hold;
      } catch (error) {
        budgetCalls.push({
          kind: 'reserve',
          promptTokens: q.promptTokens,
          withContext: q.withContext === true,
          error,
        });
        throw error;
      }
    },
    async settle(hold, charge) {
      budgetCalls.push({ kind: 'settle', hold, charge });
      return budget.settle(hold, charge);
    },
    async release(hold) {
      budgetCalls.push({ kind: 'release', hold });
      return budget.release(hold);
    },
  };
  const pacer = new Pacer(options.pacerMs ?? 5);
  const gate = new RequestGate({
    pacer,
    log: log.child({ component: 'gate' }),
    maxRetries: 2,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    ...options.gate,
  });
  const joins: Array<GateJob<unknown>> = [];
  const recordingGate: AskGate = {
    join<T>(job: GateJob<T>) {
      joins.push(job as unknown as GateJob<unknown>);
      return gate.join(job);
    },
  };
  const mistral = options.mistral ?? new ScriptedMistral();
  const models = new ModelDirectory(MODELS, DEFAULT_MODEL);
  const conversations = new ConversationMemory(keyv('conversation'), {
    maxTokens: options.conversationMaxTokens ?? 4_000,
    idleMs: 3_600_000,
  });
  const service = new AskService({
    profiles: new ChannelProfiles(settings, DEFAULT_MODEL),
    budget: recordingBudget,
    gate: recordingGate,
    mistral,
    models,
    conversations,
    ...(options.cooldown ? { cooldowns: new Cooldowns(options.cooldown.ms, options.cooldown.now) } : {}),
    limits: {
      maxAnswerTokens: options.maxAnswerTokens ?? 300,
      maxPromptChars: options.maxPromptChars ?? 4_000,
    },
    log,
  });
  const month = () => monthKey(new Date());
  return {
    db,
    ledger,
    settings,
    budget,
    budgetCalls,
    pacer,
    gate,
    joins,
    mistral,
    models,
    conversations,
    service,
    logLines: lines,
    request: (overrides = {}) => ({
      guildId: GUILD,
      channelId: CHANNEL,
      parentId: undefined,
      inThread: false,
      userId: MEMBER,
      locale: 'en-US',
      guildLocale: 'en-US',
      task: 'ask',
      parts: [{ kind: 'text', text: 'What is the capital of France?' }],
      ...overrides,
    }),
    ask: (request, sink) => service.answer(request, sink),
    held: async (guildId = GUILD) => (await ledger.held(guildId)).total,
    used: async (guildId = GUILD) => ledger.monthTotal(guildId, month()),
    async close() {
      await gate.close();
      await budget.close();
      if (db.isOpen) db.close();
    },
  };
}

/** Polls `check` every few ms until it holds or `timeoutMs` passes; resolves whether it held. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 2_000,
): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
