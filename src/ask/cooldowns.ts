/**
 * `MEMBER_COOLDOWN_SECONDS`: the least time between one member's questions in a server. Kept in
 * this process: a server's questions all arrive at the process holding its shard. The map only
 * holds members who asked within the last cooldown, pruned as it is used.
 */
export class Cooldowns {
  readonly #ms: number;
  readonly #now: () => number;
  readonly #last = new Map<string, number>();

  constructor(ms: number, now: () => number = () => performance.now()) {
    this.#ms = ms;
    this.#now = now;
  }

  /** Seconds the member must still wait (0 = may ask now). */
  waitSeconds(guildId: string, userId: string): number {
    if (this.#ms <= 0) return 0;
    const at = this.#last.get(`${guildId}:${userId}`);
    if (at === undefined) return 0;
    const left = at + this.#ms - this.#now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** A question of the member was accepted now. */
  mark(guildId: string, userId: string): void {
    if (this.#ms <= 0) return;
    const now = this.#now();
    for (const [key, at] of this.#last) if (at + this.#ms <= now) this.#last.delete(key);
    this.#last.set(`${guildId}:${userId}`, now);
  }
}
