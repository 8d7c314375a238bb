/**
 * The real discord.js client wired to a Discord stand-in, for the stand-in's own tests: log in, wait
 * until the stand-in saw the session ready, and run a handler on the next interaction or message.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { ClientOptions, Interaction, Message } from 'discord.js';
import type { DiscordStandIn } from '../standins/discord.ts';

/** A logged-in client; `destroy()` it before closing the stand-in. */
export async function loginClient(
  standIn: DiscordStandIn,
  opts: Partial<Pick<ClientOptions, 'intents' | 'partials'>> = {},
): Promise<Client> {
  const client = new Client({
    intents: opts.intents ?? [GatewayIntentBits.Guilds],
    ...(opts.partials ? { partials: opts.partials } : {}),
    rest: { api: standIn.apiUrl },
    allowedMentions: { parse: [] },
  });
  const ready = once(client, Events.ClientReady);
  const sessions = standIn.sessions().length;
  await client.login(standIn.token);
  await ready;
  await standIn.waitForReady(sessions + 1);
  return client;
}

/** Runs `handler` on the client's next interaction and settles with its result. */
export function nextInteraction<T>(
  client: Client,
  handler: (interaction: Interaction) => Promise<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    client.once(Events.InteractionCreate, (interaction: Interaction) => {
      handler(interaction).then(resolve, reject);
    });
  });
}

/** Resolves with the next message the client receives (MESSAGE_CREATE), or rejects after `timeoutMs`. */
export function nextMessage(client: Client, timeoutMs = 2_000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(Events.MessageCreate, onMessage);
      reject(new Error(`no messageCreate within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: Message): void => {
      clearTimeout(timer);
      resolve(message);
    };
    client.once(Events.MessageCreate, onMessage);
  });
}
