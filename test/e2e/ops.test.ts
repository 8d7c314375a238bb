import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, afterEach, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { monthKey } from '../../src/store/month.ts';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/budget/chart.ts';
import { PERMS, seen, startHarness, type Harness } from './harness.ts';

/** Runs the Docker HEALTHCHECK script against a port; resolves with its exit code. */
function healthcheck(port: string): Promise<number | null> {
  const script = new URL('../../scripts/healthcheck.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', METRICS_PORT: port },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** `name{a="x",b="y"}` → value, from Prometheus text exposition (labels in the order written). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(h: Harness): Promise<Map<string, number>> {
  const res = await fetch(`${h.bot.opsUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return parseMetrics(await res.text());
}

/** Dispatches a command and resolves once the dispatcher is done with it (ok, refused or failed). */
async function runToEnd(
  h: Harness,
  opts: Parameters<Harness['run']>[1],
): Promise<ReturnType<Harness['run']>> {
  let off: () => unknown = () => undefined;
  const done = new Promise<void>((resolve) => {
    off = h.bot.events.on((e) => {
      if (
        (e.type === 'handled' || e.type === 'refused' || e.type === 'failed') &&
        e.command === opts.command
      ) {
        resolve();
      }
    });
  });
  const handle = h.run(0, opts);
  await done;
  off();
  return handle;
}

describe('operating it: health, metrics, alerts, chart', () => {
  describe('/healthz', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ guildCount: 1, env: { METRICS_PORT: '0' } });
    });
    afterEach(() => h.assertCleanRun());
    after(() => h.close());

    it('GIVEN a bot logged in with a working store THEN /healthz is 200; WHEN the store is gone THEN 503 with a short reason', async () => {
      assert.match(h.bot.opsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      const ok = await fetch(`${h.bot.opsUrl}/healthz`);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { status: 'ok' });
      const port = new URL(h.bot.opsUrl ?? '').port;
      assert.equal(await healthcheck(port), 0, 'the Docker HEALTHCHECK passes');

      await h.bot.store.close();
      const down = await fetch(`${h.bot.opsUrl}/healthz`);
      assert.equal(down.status, 503);
      const body = (await down.json()) as { status: string; reason: string };
      assert.equal(body.status, 'unavailable');
      assert.match(body.reason, /^store: /);
      assert.ok(body.reason.length <= 130);
      assert.equal(await healthcheck(port), 1, 'the Docker HEALTHCHECK fails');

      const missing = await fetch(`${h.bot.opsUrl}/nope`);
      assert.equal(missing.status, 404);
    });
  });

  describe('/metrics', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ guildCount: 1, env: { METRICS_PORT: '0' } });
    });
    afterEach(() => h.assertCleanRun());
    after(() => h.close());

    it('GIVEN a known sequence of commands, one 429 included THEN /metrics counts each exactly', async () => {
      await runToEnd(h, { command: 'ask', options: { prompt: 'one' } });
      h.mistral.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });
      h.expectInjected({ mistral429: 1 });
      await runToEnd(h, { command: 'ask', options: { prompt: 'two, after a 429' } });
      await runToEnd(h, { command: 'ask', options: { prompt: 'three' } });
      const blank = await runToEnd(h, { command: 'ask', options: { prompt: '   ' } });
      await blank.waitFor((x) => x.allMessages().length > 0);
      await runToEnd(h, { command: 'model', subcommand: 'show' });
      const denied = await runToEnd(h, { command: 'usage' });
      await denied.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(denied), /Manage Server/);

      const total = (m: Map<string, number>) =>
        [...m].filter(([k]) => k.startsWith('mistral_bot_requests_total{')).reduce((n, [, v]) => n + v, 0);
      const m = await scrape(h);
      assert.equal(total(m), 6);
      assert.equal(m.get('mistral_bot_requests_total{command="ask",outcome="ok",reason=""}'), 3);
      assert.equal(
        m.get('mistral_bot_requests_total{command="ask",outcome="refused",reason="blank_prompt"}'),
        1,
      );
      assert.equal(m.get('mistral_bot_requests_total{command="model",outcome="ok",reason=""}'), 1);
      assert.equal(
        m.get('mistral_bot_requests_total{command="usage",outcome="refused",reason="missing_permission"}'),
        1,
      );
      const model = h.config.defaultModel;
      assert.equal(m.get(`mistral_bot_answers_total{model="${model}"}`), 3);
      const charged = h.mistral.requests.filter(
        (r) => r.status === 200 && r.path.endsWith('/chat/completions'),
      );
      assert.equal(charged.length, 3);
      const sum = (k: 'prompt_tokens' | 'completion_tokens') =>
        charged.reduce((n, r) => n + (r.usage?.[k] ?? 0), 0);
      assert.equal(m.get(`mistral_bot_tokens_total{model="${model}",kind="prompt"}`), sum('prompt_tokens'));
      assert.equal(
        m.get(`mistral_bot_tokens_total{model="${model}",kind="completion"}`),
        sum('completion_tokens'),
      );
      assert.equal(m.get(`mistral_bot_rate_limited_total{model="${model}"}`), 1);
      assert.equal(m.get(`mistral_bot_upstream_seconds_count{model="${model}",outcome="ok"}`), 3);
      assert.equal(m.get(`mistral_bot_upstream_seconds_count{model="${model}",outcome="rate_limited"}`), 1);
      assert.equal(m.get('mistral_bot_gate_starts_total'), 4);
      assert.equal(m.get('mistral_bot_wait_seconds_count'), 3);
      assert.equal(m.get('mistral_bot_request_seconds_count'), 3);
      assert.ok((m.get('mistral_bot_request_seconds_sum') ?? 0) >= 1, 'the 429 paused one question ≥ 1 s');
      assert.equal(m.get('mistral_bot_queue_waiting'), 0);
      assert.equal(m.get('mistral_bot_in_flight'), 0);
      const utilisation = m.get('mistral_bot_gate_utilisation') ?? -1;
      assert.ok(utilisation > 0 && utilisation <= 1, `utilisation ${utilisation}`);
      assert.equal(
        m.get(`mistral_bot_model_limit{model="${model}",window="tokens_per_month"}`),
        1_000_000_000,
      );
      assert.equal(m.get(`mistral_bot_model_limit{model="${model}",window="tokens_per_minute"}`), 500_000);
      assert.ok(m.has('mistral_bot_process_resident_memory_bytes'), 'process metrics are there too');
    });
  });

  describe('budget alerts and the usage chart', () => {
    let h: Harness;
    const budget = 10_000;
    before(async () => {
      h = await startHarness({
        guildCount: 1,
        env: (guilds) => ({
          GUILD_MONTHLY_TOKEN_BUDGET: String(budget),
          KEY_MONTHLY_TOKEN_ALERT: '50',
          OPERATOR_ALERT_CHANNEL_ID: guilds[0]?.threadId ?? '',
        }),
      });
    });
    afterEach(() => h.assertCleanRun());
    after(() => h.close());

    const guild = () => h.guilds[0] as { guildId: string; channelId: string; threadId: string };
    const alertsSeen = () => h.discord.channelMessages(guild().channelId).map((m) => m.content);
    /** Usage recorded straight into the ledger, as if earlier answers had cost it. */
    const spend = (tokens: number) =>
      h.bot.store.usage.record({
        guildId: guild().guildId,
        userId: '100000000000000001',
        model: 'open-mistral-nemo',
        promptTokens: tokens,
        completionTokens: 0,
        at: new Date(),
      });
    const ask = async (prompt: string) => {
      const x = await runToEnd(h, { command: 'ask', options: { prompt } });
      await h.bot.alerts.idle();
      return x;
    };
    const usage = (options: Record<string, string> = {}) =>
      runToEnd(h, { command: 'usage', permissions: PERMS.member | PERMS.manageGuild, options });

    it('GIVEN no alerts channel THEN crossing 80% sends nothing, and /usage says alerts are off', async () => {
      await spend(8_100);
      await ask('hello');
      assert.deepEqual(alertsSeen(), []);
      assert.match(seen(await usage()), /Budget alerts: off/);
    });

    it('GIVEN managers chose a channel THEN 80% and 100% are each announced once, without pings, even across a restart', async () => {
      const set = await usage({ 'alerts-channel': guild().channelId });
      assert.match(seen(set), new RegExp(`Budget alerts will be posted in <#${guild().channelId}>`));

      await ask('first after choosing'); // 80% already crossed: announced now, once
      assert.equal(alertsSeen().length, 1);
      assert.match(alertsSeen()[0] ?? '', /\*\*Budget alert:\*\* this server has used \*\*8\d%\*\*/);
      await ask('second');
      assert.equal(alertsSeen().length, 1, 'not twice at 80%');

      await h.stopBot();
      await h.restartBot();
      await ask('third, after a restart');
      assert.equal(alertsSeen().length, 1, 'a restart does not re-send');

      const { used } = await h.bot.store.usage
        .monthReport(guild().guildId, monthKey(new Date()))
        .then((r) => ({ used: r.total.totalTokens }));
      await spend(budget - used - 10); // 10 tokens left: the next question does not fit
      const refused = await ask('too much');
      assert.match(seen(refused), /tokens left|used its monthly token budget/);
      assert.equal(alertsSeen().length, 2);
      assert.match(alertsSeen()[1] ?? '', /used up its Mistral token budget/);
      await ask('again');
      assert.equal(alertsSeen().length, 2, 'not twice at 100%');

      const posted = h.discord.channelMessages(guild().channelId);
      assert.ok(posted.every((m) => JSON.stringify(m.allowedMentions) === JSON.stringify({ parse: [] })));
      assert.deepEqual(h.discord.violations, []);

      const report = seen(await usage());
      assert.match(report, new RegExp(`Budget alerts: at 80% and 100%, in <#${guild().channelId}>`));
      assert.match(report, /80% sent <t:\d+:R>; 100% sent <t:\d+:R>/);
    });

    it('GIVEN KEY_MONTHLY_TOKEN_ALERT THEN the operator is told once per model per month in their channel', async () => {
      const operator = h.discord.channelMessages(guild().threadId).map((m) => m.content);
      assert.equal(operator.length, 1, operator.join('\n'));
      assert.match(
        operator[0] ?? '',
        new RegExp(`^\\*\\*Key alert:\\*\\* \`${h.config.defaultModel}\` has used [\\d,]+ tokens`),
      );
      const sent: unknown = await h.bot.store
        .keyv('alert-sent')
        .get(`key:${h.config.defaultModel}:${monthKey(new Date())}`);
      assert.deepEqual(Object.keys(sent as object).sort(), ['at', 'delivered']);
    });

    it('GIVEN usage this month THEN /usage attaches a PNG chart of tokens per day with the text report kept', async () => {
      const x = await usage();
      const message = x.allMessages()[0];
      assert.ok(message);
      assert.match(message.content, /\*\*By model\*\*/);
      assert.ok(message.content.length <= 2000);
      assert.equal(message.attachments.length, 1);
      const file = message.attachments[0];
      assert.ok(file);
      assert.match(file.filename, /^usage-\d{4}-\d{2}\.png$/);
      assert.equal(file.contentType, 'image/png');
      const png = PNG.sync.read(file.bytes);
      assert.equal(png.width, CHART_WIDTH);
      assert.equal(png.height, CHART_HEIGHT);
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4) colours.add(png.data.readUInt32BE(i));
      assert.ok(colours.size > 10, `the chart has content (${colours.size} colours)`);
      // The two models' bar colours (orange, blue) are both there.
      assert.ok(colours.has(0xfa520fff) && colours.has(0x1f77b4ff));
    });

    it('GIVEN alerts:off THEN alerts stop and /usage says so', async () => {
      const off = await usage({ alerts: 'off' });
      assert.match(seen(off), /Budget alerts are off/);
      assert.equal(await h.bot.alerts.channel(guild().guildId), undefined);
    });
  });
});
