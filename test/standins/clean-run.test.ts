import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDiscordStandIn } from './discord.ts';
import { startMistralStandIn } from './mistral.ts';
import { watchCleanRun } from '../support/clean-run.ts';
import { connectMistral } from '../support/mistral-client.ts';

const ask = { model: 'mistral-small-latest', messages: [{ role: 'user' as const, content: 'hi' }] };

test('GIVEN the clean-run check THEN it passes a clean period, fails on an undeclared 429 or violation even after reset(), and expects exactly what was declared', async (t) => {
  const discord = await startDiscordStandIn();
  const mistral = await startMistralStandIn({ requestsPerSecond: 1, latencyMs: 5 });
  t.after(async () => {
    await discord.close();
    await mistral.close();
  });
  const { client } = connectMistral(mistral);
  const watch = watchCleanRun({ discord, mistral });

  await client.chat.complete(ask);
  watch.assertCleanRun();

  await assert.rejects(client.chat.complete(ask), /429|Rate limit/);
  mistral.reset();
  assert.throws(
    () => watch.assertCleanRun(),
    (error: Error) => {
      assert.match(error.message, /Mistral 429 answers: 1, expected 0/);
      assert.match(error.message, /Mistral violations: 1, expected 0\n {4}request too early/);
      return true;
    },
  );
  watch.assertCleanRun();

  mistral.inject({ kind: 'rate-limit' }, 2);
  watch.expectInjected({ mistral429: 1 });
  watch.expectInjected({ mistral429: 1 });
  await new Promise((r) => setTimeout(r, 1_050));
  await assert.rejects(client.chat.complete(ask));
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(client.chat.complete(ask));
  watch.assertCleanRun();

  watch.expectInjected({ discordViolations: 2 });
  await fetch(`${discord.apiUrl}/v10/nowhere`, { headers: { authorization: `Bot ${discord.token}` } });
  assert.throws(
    () => watch.assertCleanRun(),
    /Discord violations: 1, expected 2\n {4}GET \/nowhere: route unknown/,
  );
  watch.assertCleanRun();
});
