import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { PERMS, seen, startHarness, type Harness } from './harness.ts';

const completions = (h: Harness) => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('end to end: fair, token-aware scheduling and what waiting members see', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ guildCount: 3, env: { MAX_QUEUED_PER_GUILD: '3' } });
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.reset();
    h.mistral.setLatencyMs(30);
  });
  after(() => h.close());

  it('GIVEN five questions at once THEN the later ones show their place in line, then the answer replaces it', async () => {
    const handles = [0, 1, 2, 0, 1].map((g, i) =>
      h.run(g, { command: 'ask', userId: `50000000000000000${i}`, options: { prompt: `question ${i}` } }),
    );
    await Promise.all(
      handles.map((x) =>
        x.waitFor((y) => /\w/.test(y.original() ?? '') && !/in line/.test(y.original() ?? ''), 30_000),
      ),
    );
    const last = handles[4];
    assert.ok(last);
    const notices = last
      .edits()
      .filter((e) => /you are \*\*#\d+\*\* in line \(about \d+ s\)/.test(e.content));
    assert.ok(notices.length >= 1, `edits: ${JSON.stringify(last.edits().map((e) => e.content))}`);
    // The answer is the last edit, and notices never come after it.
    assert.doesNotMatch(last.original() ?? '', /in line/);
    const gaps = last
      .edits()
      .slice(1)
      .map((e, i) => e.at - (last.edits()[i]?.at ?? 0));
    for (const gap of gaps) assert.ok(gap >= 900, `edits ${gap} ms apart`);
    assert.equal(h.mistral.rejected429, 0);
    for (const x of handles) assert.equal(x.ephemeral, false);
  });

  it('GIVEN a server over its waiting limit THEN the extra question is refused privately as busy and never sent', async () => {
    const handles = Array.from({ length: 6 }, (_, i) =>
      h.run(2, { command: 'ask', userId: `60000000000000000${i}`, options: { prompt: `flood ${i}` } }),
    );
    await Promise.all(
      handles.map((x) =>
        x.waitFor(
          (y) => y.allMessages().some((m) => m.content.length > 0 && !/in line/.test(m.content)),
          30_000,
        ),
      ),
    );
    const busy = handles.filter((x) => /I’m busy/.test(seen(x)));
    assert.ok(busy.length >= 1, 'at least one refused as busy');
    for (const x of busy) {
      assert.ok(x.allMessages().every((m) => m.ephemeral));
      assert.match(seen(x), /nothing was sent or charged/);
    }
    assert.equal(completions(h).length, 6 - busy.length);
  });

  it('GIVEN a channel set to a model whose limit is 0 THEN /ask says so privately with usable models and /model list hides it', async () => {
    h.mistral.setModelLimits('mistral-large-latest', { unavailable: true });
    h.expectInjected({ mistral429: 1 });
    try {
      const set = h.run(0, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'mistral-large-latest' },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const first = h.run(0, { command: 'ask', options: { prompt: 'big model please' } });
      await first.waitFor((x) => x.allMessages().some((m) => /not available/.test(m.content)), 20_000);
      assert.ok(first.allMessages().every((m) => m.ephemeral));
      assert.match(seen(first), /Other models still work: .*`mistral-small-latest`/);
      assert.equal(completions(h).length, 1, 'only the first attempt went upstream, with no retries');
      const second = h.run(0, { command: 'ask', options: { prompt: 'again?' } });
      await second.waitFor((x) => x.allMessages().length > 0);
      assert.equal(second.ephemeral, true);
      assert.match(seen(second), /not available/);
      assert.equal(completions(h).length, 1, 'nothing more went upstream');
      const list = h.run(0, { command: 'model', subcommand: 'list' });
      await list.waitFor((x) => x.allMessages().length > 0);
      const [offered, current] = seen(list).split('\n');
      assert.doesNotMatch(offered ?? '', /`mistral-large-latest`/);
      assert.match(current ?? '', /`mistral-large-latest` \(not available right now; pick another\)/);
      const show = h.run(0, { command: 'model', subcommand: 'show' });
      await show.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(show), /not available/);
    } finally {
      const reset = h.run(0, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'mistral-small-latest' },
      });
      await reset.waitFor((x) => x.allMessages().length > 0);
    }
  });

  it('GIVEN a storm of 429s with Retry-After THEN questions are answered and nothing is sent inside a stated wait', async () => {
    h.mistral.inject({ kind: 'rate-limit', retryAfterSeconds: 2 }, 3);
    h.expectInjected({ mistral429: 3 });
    const handles = [0, 1].map((g) => h.run(g, { command: 'ask', options: { prompt: 'storm' } }));
    await Promise.all(
      handles.map((x) =>
        x.waitFor((y) => (y.original() ?? '').length > 0 && !/in line/.test(y.original() ?? ''), 60_000),
      ),
    );
    assert.deepEqual(h.mistral.violations, []);
    assert.equal(h.mistral.rejected429, 3);
    for (const x of handles) assert.equal(x.ephemeral, false);
    const arrivals = completions(h).map((r) => ({ at: r.at, status: r.status }));
    for (let i = 0; i < arrivals.length; i++) {
      if (arrivals[i]?.status !== 429) continue;
      const next = arrivals[i + 1];
      if (next) assert.ok(next.at - (arrivals[i]?.at ?? 0) >= 2_000, 'next request waited out the 2 s');
    }
  });
});
