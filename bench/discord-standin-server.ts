/**
 * The Discord and Mistral stand-ins in their own process, for the footprint benchmark: a bot
 * process's memory and CPU are then its own. `node bench/discord-standin-server.ts <servers>
 * <channelsPerServer>` prints one line `{"env": {…}}` with the bot's variables, then answers stdin:
 *   ask <n>  n `/ask` interactions (servers round robin) at once; prints {"asked","answered","ms"}
 *            once every one has a final answer (its footer), or after 120 s
 *   stats    {"discord429","mistral429","violations"} from the stand-ins' own records
 *   exit
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { snowflake, startDiscordStandIn } from '../test/standins/discord.ts';
import { startMistralStandIn } from '../test/standins/mistral.ts';

const REQUESTS_PER_SECOND = 20;
const serverCount = Number(process.argv[2] ?? 3);
const channelsPerServer = Math.max(1, Number(process.argv[3] ?? 1));
/** A final answer's last line, the bot's and the baseline's: "-# model · 123 tokens…". */
const FOOTER = /\n-# \S+ · ~?[\d,]+ tokens/;
const MEMBER = String((1n << 10n) | (1n << 11n) | (1n << 31n));

const guilds = Array.from({ length: serverCount }, (_, i) => {
  const categoryId = snowflake();
  const channels: { id: string; name: string; type: number; parentId?: string }[] =
    channelsPerServer === 1
      ? [{ id: snowflake(), name: 'general', type: 0 }]
      : [{ id: categoryId, name: 'text', type: 4 }];
  // Text channels with a voice channel every seventh, all under one category.
  for (let c = 1; c < channelsPerServer; c++)
    channels.push({ id: snowflake(), name: `channel-${c}`, type: c % 7 === 0 ? 2 : 0, parentId: categoryId });
  return { id: snowflake(), name: `Server ${i + 1}`, channels };
});
const discord = await startDiscordStandIn({ guilds });
const mistral = await startMistralStandIn({ requestsPerSecond: REQUESTS_PER_SECOND, latencyMs: 50 });
console.log(
  JSON.stringify({
    env: {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      MISTRAL_API_KEY: 'test-key',
      MISTRAL_SERVER_URL: mistral.url,
      MISTRAL_REQUESTS_PER_SECOND: String(REQUESTS_PER_SECOND),
    },
  }),
);

let next = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'ask') {
    const n = Number(arg ?? 1);
    const started = performance.now();
    const handles = Array.from({ length: n }, () => {
      const guild = guilds[next++ % guilds.length]!;
      return discord.interact({
        guildId: guild.id,
        channelId: guild.channels.find((c) => c.type === 0)!.id,
        command: 'ask',
        permissions: MEMBER,
        options: { prompt: 'Explain in two sentences why the sky is blue.' },
      });
    });
    const answered = () => handles.filter((h) => FOOTER.test(h.allMessages().at(-1)?.content ?? '')).length;
    while (answered() < n && performance.now() - started < 120_000) await sleep(5);
    console.log(
      JSON.stringify({ asked: n, answered: answered(), ms: Math.round(performance.now() - started) }),
    );
  } else if (command === 'stats') {
    console.log(
      JSON.stringify({
        discord429: discord.rejected429,
        mistral429: mistral.rejected429,
        violations: discord.violations.length + mistral.violations.length,
      }),
    );
  } else if (command === 'exit') break;
}
await discord.close();
await mistral.close();
process.exit(0);
