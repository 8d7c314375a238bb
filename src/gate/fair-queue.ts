/**
 * A two-level round-robin queue: servers take turns, and inside a server its members take
 * turns, so a server with one question is never stuck behind another server's fifty, nor a
 * member behind a neighbour's flood. Pure and synchronous; the gate decides *when* to take,
 * this decides *what*.
 */
export class FairQueue<T> {
  /** Guild lanes in serving order; the lane served last moves to the end. */
  readonly #guilds = new Map<string, Map<string, T[]>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Items waiting for one server. */
  sizeOf(guildId: string): number {
    let n = 0;
    for (const items of this.#guilds.get(guildId)?.values() ?? []) n += items.length;
    return n;
  }

  /** Adds an item at the back of its member's lane. */
  push(guildId: string, userId: string, item: T): void {
    this.#lane(guildId, userId).push(item);
    this.#size++;
  }

  /** Puts an item back at the front of its member's lane (a retry keeps its place). */
  pushFront(guildId: string, userId: string, item: T): void {
    this.#lane(guildId, userId).unshift(item);
    this.#size++;
  }

  /**
   * Takes the next item in fair order. With `eligible`, items it rejects are passed over (they
   * keep their place) and the first eligible one in fair order is taken.
   */
  shift(eligible?: (item: T) => boolean): T | undefined {
    for (const [guildId, users] of this.#guilds) {
      for (const [userId, items] of users) {
        const index = eligible ? items.findIndex(eligible) : 0;
        if (index < 0) continue;
        const [item] = items.splice(index, 1) as [T];
        this.#size--;
        // Served lanes move to the back of their ring; empty lanes disappear.
        users.delete(userId);
        if (items.length > 0) users.set(userId, items);
        this.#guilds.delete(guildId);
        if (users.size > 0) this.#guilds.set(guildId, users);
        return item;
      }
    }
    return undefined;
  }

  #lane(guildId: string, userId: string): T[] {
    let users = this.#guilds.get(guildId);
    if (!users) {
      users = new Map();
      this.#guilds.set(guildId, users);
    }
    let items = users.get(userId);
    if (!items) {
      items = [];
      users.set(userId, items);
    }
    return items;
  }

  /** Removes everything. */
  clear(): void {
    this.#guilds.clear();
    this.#size = 0;
  }

  /** Removes one item wherever it waits; true if it was there. */
  remove(item: T): boolean {
    for (const [guildId, users] of this.#guilds) {
      for (const [userId, items] of users) {
        const index = items.indexOf(item);
        if (index < 0) continue;
        items.splice(index, 1);
        this.#size--;
        if (items.length === 0) users.delete(userId);
        if (users.size === 0) this.#guilds.delete(guildId);
        return true;
      }
    }
    return false;
  }

  /** Every waiting item in serving order (see {@link serveOrder}). */
  order(): T[] {
    return serveOrder([...this.#guilds.values()].map((users) => users.values()));
  }

  /**
   * How many items will be served before `item` if nothing else arrives (0 = next), or -1 when
   * it is not queued. Round-robin makes this arithmetic: the k-th turn of a lane comes after
   * min(count, k) turns of every lane ahead of it and min(count, k - 1) of every lane behind.
   */
  position(item: T): number {
    const guilds = [...this.#guilds.values()];
    for (let g = 0; g < guilds.length; g++) {
      const users = [...(guilds[g] as Map<string, T[]>).values()];
      for (let u = 0; u < users.length; u++) {
        const index = (users[u] as T[]).indexOf(item);
        if (index < 0) continue;
        const turnInGuild =
          turnsBefore(
            users.map((items) => items.length),
            u,
            index + 1,
          ) + 1;
        return turnsBefore(
          guilds.map((lane) => countOf(lane)),
          g,
          turnInGuild,
        );
      }
    }
    return -1;
  }
}

/**
 * Every waiting item in the order it would be served if nothing else arrived: a round-robin
 * simulation in O(n), used to tell waiting members their place in line.
 */
export function serveOrder<T>(guilds: Iterable<Iterable<readonly T[]>>): T[] {
  type Lane = { readonly items: readonly T[]; next: number };
  type Guild = { readonly lanes: Lane[]; head: number };
  const ring: Guild[] = [];
  for (const users of guilds) {
    const lanes = [...users].filter((items) => items.length > 0).map((items) => ({ items, next: 0 }));
    if (lanes.length > 0) ring.push({ lanes, head: 0 });
  }
  const out: T[] = [];
  for (let g = 0; g < ring.length; g++) {
    const guild = ring[g] as Guild;
    const lane = guild.lanes[guild.head++] as Lane;
    out.push(lane.items[lane.next++] as T);
    if (lane.next < lane.items.length) guild.lanes.push(lane);
    if (guild.head < guild.lanes.length) ring.push(guild);
  }
  return out;
}

function countOf<T>(users: Map<string, T[]>): number {
  let n = 0;
  for (const items of users.values()) n += items.length;
  return n;
}

/** Turns served before lane `lane`'s `turn`-th turn in a round-robin over lanes of these sizes. */
export function turnsBefore(sizes: readonly number[], lane: number, turn: number): number {
  let before = turn - 1;
  sizes.forEach((size, i) => {
    if (i < lane) before += Math.min(size, turn);
    else if (i > lane) before += Math.min(size, turn - 1);
  });
  return before;
}
