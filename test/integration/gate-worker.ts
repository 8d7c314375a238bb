/**
 * A bot-like process for the shared-gate tests: one RequestGate on a RedisPacer and the real
 * Mistral client, driven by JSON lines on stdin, reporting JSON lines on stdout.
 *
 * argv[2]: `{ standInUrl, redisUrl, maxWaiting?, maxWaitingPerMember?, modelLimits? }` (`modelLimits`
 * as MISTRAL_MODEL_LIMITS writes it). Prints `{"ready":true}`.
 * Commands: `{"op":"join","id","guildId","userId","model"?,"tokens"?}` → `{"id","joined":ms}` or
 * `{"id","refused":reason,"ms"}`,
 * later `{"id","started":epochMs}` and `{"id","done":"ok"|reason}`; notices `{"id","wait":{position,stalled}}`.
 * `{"op":"pause","ms"}` holds every process's sends; `{"op":"close"}` closes the gate and exits.
 * The question sent upstream is the request's id, so the stand-in's records name it.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { GateRefusal, RequestGate } from '../../src/gate/gate.ts';
import { ModelLimits, parseModelLimits } from '../../src/gate/model-limits.ts';
import { RedisPacer } from '../../src/gate/redis-pacer.ts';
import { createMistralApi, UpstreamError } from '../../src/mistral/client.ts';
import { connectRedis } from '../../src/store/redis-connection.ts';

interface Options {
  readonly standInUrl: string;
  readonly redisUrl: string;
  readonly maxWaiting?: number;
  readonly maxWaitingPerMember?: number;
  readonly modelLimits?: string;
}
type Command =
  | {
      readonly op: 'join';
      readonly id: string;
      readonly guildId: string;
      readonly userId: string;
      readonly model?: string;
      readonly tokens?: number;
    }
  | { readonly op: 'pause'; readonly ms: number }
  | { readonly op: 'close' };

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const log = pino({ level: process.env.GATE_WORKER_LOG ?? 'silent' }, pino.destination(2));
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const redis = await connectRedis(options.redisUrl, 'REDIS_URL');
const pacer = new RedisPacer(redis, 1015, 'shared-gate-test', log);
const api = createMistralApi({
  serverUrl: options.standInUrl,
  apiKey: 'test-key',
  timeoutMs: 10_000,
  onSent: () => pacer.markSent(),
});
const pools = parseModelLimits(options.modelLimits ?? '');
if (typeof pools === 'string') throw new Error(pools);
const gate = new RequestGate({
  pacer,
  log,
  maxRetries: 2,
  limits: new ModelLimits(pools),
  ...(options.maxWaiting === undefined ? {} : { maxWaiting: options.maxWaiting }),
  ...(options.maxWaitingPerMember === undefined ? {} : { maxWaitingPerMember: options.maxWaitingPerMember }),
});
say({ ready: true });

const reasonOf = (error: unknown) =>
  error instanceof GateRefusal ? error.reason : error instanceof UpstreamError ? error.kind : String(error);

async function join(command: Extract<Command, { op: 'join' }>): Promise<void> {
  const { id, guildId, userId } = command;
  const model = command.model ?? 'mistral-small-latest';
  const t0 = performance.now();
  let joined = false;
  try {
    const ticket = await gate.join({
      guildId,
      userId,
      model,
      tokens: command.tokens ?? 100,
      onWait: (position, _eta, stalled) => say({ id, wait: { position, stalled } }),
      attempt: () => {
        say({ id, started: Date.now() });
        return api.complete({
          model,
          messages: [{ role: 'user', content: id }],
          maxTokens: 20,
        });
      },
    });
    joined = true;
    say({ id, joined: Math.round(performance.now() - t0) });
    await ticket.result;
    say({ id, done: 'ok' });
  } catch (error) {
    const ms = Math.round(performance.now() - t0);
    say(joined ? { id, done: reasonOf(error), ms } : { id, refused: reasonOf(error), ms });
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  if (command.op === 'join') void join(command);
  else if (command.op === 'pause') pacer.pauseFor(command.ms);
  else break;
}
await gate.close();
say({ closed: true });
api.close();
await redis.quit();
process.exit(0);
