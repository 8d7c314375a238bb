/**
 * The clean-run check every end-to-end test runs after it: no 429 and no violation at either stand-in,
 * unless the test declared what it injects. It compares counts since the previous check, so a suite
 * that shares stand-ins between tests blames each test only for what happened during it; the Mistral
 * side reads the stand-in's `history`, which `reset()` does not clear.
 */
import type { DiscordStandIn } from '../standins/discord.ts';
import type { MistralStandIn } from '../standins/mistral.ts';

/** What a test causes on purpose; the check then expects exactly these counts. */
export interface Injected {
  readonly mistral429?: number;
  readonly mistralViolations?: number;
  readonly discord429?: number;
  readonly discordViolations?: number;
}

export interface CleanRunWatch {
  /** Declares what the current test injects (adds up if called more than once before the check). */
  expectInjected(injected: Injected): void;
  /**
   * Throws unless, since the previous check, the stand-ins answered exactly the declared 429s and
   * recorded exactly the declared violations (zero when nothing was declared). Starts a new period
   * and clears the declaration whether it passes or not.
   */
  assertCleanRun(): void;
}

interface Counts {
  readonly discord429: number;
  readonly discordViolations: number;
  readonly mistral429: number;
  readonly mistralViolations: number;
}

/** Watches the stand-ins a suite uses; call `assertCleanRun()` from `afterEach`. */
export function watchCleanRun(standIns: {
  readonly discord?: DiscordStandIn;
  readonly mistral?: MistralStandIn;
}): CleanRunWatch {
  const { discord, mistral } = standIns;
  const now = (): Counts => ({
    discord429: discord?.rejected429 ?? 0,
    discordViolations: discord?.violations.length ?? 0,
    mistral429: mistral?.history.rejected429 ?? 0,
    mistralViolations: mistral?.history.violations.length ?? 0,
  });
  let since = now();
  let expected: Required<Injected> = {
    mistral429: 0,
    mistralViolations: 0,
    discord429: 0,
    discordViolations: 0,
  };
  return {
    expectInjected(injected) {
      expected = {
        mistral429: expected.mistral429 + (injected.mistral429 ?? 0),
        mistralViolations: expected.mistralViolations + (injected.mistralViolations ?? 0),
        discord429: expected.discord429 + (injected.discord429 ?? 0),
        discordViolations: expected.discordViolations + (injected.discordViolations ?? 0),
      };
    },
    assertCleanRun() {
      const current = now();
      const from = since;
      const want = expected;
      since = current;
      expected = { mistral429: 0, mistralViolations: 0, discord429: 0, discordViolations: 0 };
      const problems: string[] = [];
      const compare = (key: keyof Counts, what: string, texts: () => readonly string[]): void => {
        const got = current[key] - from[key];
        if (got === want[key]) return;
        const detail = texts();
        problems.push(
          `${what}: ${got}, expected ${want[key]}${detail.length > 0 ? `\n    ${detail.join('\n    ')}` : ''}`,
        );
      };
      compare('discord429', 'Discord 429 answers', () =>
        (discord?.calls ?? [])
          .filter((c) => c.status === 429)
          .slice(-5)
          .map((c) => `${c.method} ${c.path}`),
      );
      compare('discordViolations', 'Discord violations', () =>
        (discord?.violations ?? []).slice(from.discordViolations),
      );
      compare('mistral429', 'Mistral 429 answers', () => []);
      compare('mistralViolations', 'Mistral violations', () =>
        (mistral?.history.violations ?? []).slice(from.mistralViolations),
      );
      if (problems.length > 0) throw new Error(`clean-run check failed:\n  ${problems.join('\n  ')}`);
    },
  };
}
