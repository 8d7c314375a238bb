/**
 * Runs the strict Mistral stand-in in its own process, so the benchmark's CPU figures are the
 * bot's alone. Prints `{"url": …}` on start; answers stdin lines `stats`, `reset`, `exit`.
 */
import { createInterface } from 'node:readline';
import { messageText, startMistralStandIn } from '../test/standins/mistral.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { requestsPerSecond?: number; latencyMs?: number };
const standIn = await startMistralStandIn(options);
const origin = performance.timeOrigin;
console.log(JSON.stringify({ url: standIn.url }));

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') {
    const completions = standIn.requests.filter((r) => r.path.endsWith('/chat/completions'));
    console.log(
      JSON.stringify({
        rejected429: standIn.rejected429,
        accepted: standIn.accepted,
        inFlightMax: standIn.inFlightMax,
        violations: standIn.violations.length,
        // Epoch ms, comparable across processes.
        starts: standIn.startTimes().map((t) => origin + t),
        arrivals: completions.map((r) => ({
          at: origin + r.at,
          status: r.status,
          accepted: r.accepted,
          content: messageText(r.messages?.[0]?.content),
        })),
      }),
    );
  } else if (line === 'reset') {
    standIn.reset();
    console.log('{}');
  } else if (line === 'exit') {
    break;
  }
}
await standIn.close();
process.exit(0);
