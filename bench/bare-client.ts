/**
 * The footprint benchmark's baseline: the simplest bot that answers `/ask` — a bare discord.js
 * client (Guilds intent, default caches) and the Mistral SDK's core and streaming chat function, as
 * the bot imports them. It defers, spaces its upstream starts like a pacer and retries a 429 after a
 * second (nothing more: no gate, store, budget or logging), streams the answer and edits the reply
 * once with the text and a footer.
 * The benchmark runs it as JavaScript under the same V8 flags as `npm start`. Prints {"msg":"ready"}.
 * Reads the bot's variables: DISCORD_TOKEN, DISCORD_API_URL, MISTRAL_API_KEY, MISTRAL_SERVER_URL,
 * MISTRAL_REQUESTS_PER_SECOND.
 */
import { Client, GatewayIntentBits } from 'discord.js';
import { MistralCore } from '@mistralai/mistralai/core.js';
import { chatStream } from '@mistralai/mistralai/funcs/chatStream.js';

const env = (name: string) => process.env[name] ?? '';
const core = new MistralCore({ apiKey: env('MISTRAL_API_KEY'), serverURL: env('MISTRAL_SERVER_URL') });
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env('DISCORD_API_URL') } });
const intervalMs = 1_000 / Number(env('MISTRAL_REQUESTS_PER_SECOND') || 1) + 100;
let lastStart = 0;
const paced = async () => {
  const at = Math.max(Date.now(), lastStart + intervalMs);
  lastStart = at;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
};

client.on('interactionCreate', (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  void (async () => {
    await interaction.deferReply();
    const send = async () => {
      await paced();
      return chatStream(core, {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: interaction.options.getString('prompt', true) }],
        maxTokens: 512,
      });
    };
    let res = await send();
    // The bot's 429 retry, simply: wait a second and try again (three times at most).
    for (let retry = 0; retry < 3 && !res.ok && /Status 429/.test(String(res.error)); retry++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      res = await send();
    }
    if (!res.ok) throw res.error;
    let text = '';
    let tokens = 0;
    for await (const event of res.value) {
      const delta = event.data.choices[0]?.delta.content;
      if (typeof delta === 'string') text += delta;
      if (event.data.usage) tokens = event.data.usage.totalTokens ?? 0;
    }
    await interaction.editReply({
      content: `${text}\n-# mistral-small-latest · ${tokens} tokens`,
      allowedMentions: { parse: [] },
    });
  })().catch((error: unknown) => console.error(error));
});
client.once('clientReady', () => console.log(JSON.stringify({ msg: 'ready' })));
await client.login(env('DISCORD_TOKEN'));
process.once('SIGTERM', () => void client.destroy().then(() => process.exit(0)));
