/**
 * Fair order by virtual time (start-time fair queueing with unit costs): every server has a
 * *tag*, the virtual time of its next turn; the server with the smallest tag goes next, and each
 * turn costs it one unit. A server that starts waiting gets the current virtual time (or its own
 * last finish, if later), so a server with one question is never stuck behind another server's
 * fifty, and leaving and rejoining the line gains nothing. Inside a server, members take turns
 * round-robin, so a member is not stuck behind a neighbour's flood either.
 *
 * The same tags order servers across processes: each process offers its smallest tag and the
 * shared pacer grants the slot to the smallest of all (see {@link SlotOffer}). Ties go to the
 * server that has held its tag longest. Pure and synchronous; the gate decides *when* to take,
 * this decides *what*.
 */
export class FairQueue<T> {
  /** Waiting servers; order is irrelevant, the tags decide. */
  readonly #servers = new Map<string, Server<T>>();
  /** Tags of servers that stopped waiting, kept while above the virtual time (a returning server resumes there). */
  readonly #finished = new Map<string, number>();
  #virtualTime = 0;
  #sequence = 0;
  #size = 0;

  /** Items waiting, in all servers. */
  get size(): number {
    return this.#size;
  }

  /** Servers with at least one item waiting. */
  get servers(): number {
    return this.#servers.size;
  }

  /**
   * The order's virtual time: the tag of the latest turn taken, here or (via {@link advance}) in
   * any process sharing the order. Never decreases.
   */
  get virtualTime(): number {
    return this.#virtualTime;
  }

  /** Moves the virtual time forward to `virtualTime` (a turn taken elsewhere); never back. */
  advance(virtualTime: number): void {
    if (virtualTime > this.#virtualTime) this.#virtualTime = virtualTime;
  }

  /** Items waiting for one server. */
  sizeOf(guildId: string): number {
    return this.#servers.get(guildId)?.size ?? 0;
  }

  /** Adds an item at the back of its member's lane. */
  push(guildId: string, userId: string, item: T): void {
    const server = this.#server(guildId);
    lane(server, userId).push(item);
    server.size++;
    this.#size++;
  }

  /**
   * Puts an item back at the front of its member's lane (a retry keeps its place), and gives its
   * server back the turn it was taken at (`tag`, as {@link shift} returned it) if that is earlier.
   */
  pushFront(guildId: string, userId: string, item: T, tag: number): void {
    const server = this.#server(guildId, tag);
    if (tag < server.tag) server.tag = tag;
    lane(server, userId).unshift(item);
    server.size++;
    this.#size++;
  }

  /**
   * The next item in fair order, without taking it: the first `eligible` one of the server with
   * the smallest tag that has one. `tag` is that server's effective tag (never below the virtual
   * time), what this process offers for a shared slot.
   */
  peek(eligible?: (item: T) => boolean): Turn<T> | undefined {
    const found = this.#next(eligible);
    return found && { item: found.item, guildId: found.server.guildId, tag: found.tag };
  }

  /**
   * Takes the next item in fair order (see {@link peek}); items `eligible` rejects keep their place.
   * The server's tag moves one unit on and the virtual time to the turn taken.
   */
  shift(eligible?: (item: T) => boolean): Turn<T> | undefined {
    const found = this.#next(eligible);
    if (!found) return undefined;
    const { server, userId, items, index, tag } = found;
    items.splice(index, 1);
    server.size--;
    this.#size--;
    // The served lane moves to the back of its server's ring; an empty one disappears.
    server.lanes.delete(userId);
    if (items.length > 0) server.lanes.set(userId, items);
    this.advance(tag);
    server.tag = tag + 1;
    server.since = this.#sequence++;
    if (server.size === 0) this.#retire(server);
    return { item: found.item, guildId: server.guildId, tag };
  }

  /** Removes one item wherever it waits (a cancelled request); true if it was there. */
  remove(guildId: string, userId: string, item: T): boolean {
    const server = this.#servers.get(guildId);
    const items = server?.lanes.get(userId);
    const index = items?.indexOf(item) ?? -1;
    if (!server || !items || index < 0) return false;
    items.splice(index, 1);
    server.size--;
    this.#size--;
    if (items.length === 0) server.lanes.delete(userId);
    if (server.size === 0) this.#retire(server);
    return true;
  }

  /** Removes everything (the virtual time stays). */
  clear(): void {
    this.#servers.clear();
    this.#finished.clear();
    this.#size = 0;
  }

  /**
   * Every waiting item in the order it would be served if nothing else arrived and everything
   * were eligible, with the virtual time of its turn: an exact simulation of repeated
   * {@link shift}, O(n log s) for n items in s servers. Used to tell waiting members their place.
   */
  lineup(): Array<LinedUp<T>> {
    const heap = new MinHeap<SimServer<T>>((a, b) => a.tag - b.tag || a.since - b.since);
    for (const server of this.#servers.values()) {
      const ring = [...server.lanes.values()].map((items) => ({ items, next: 0 }));
      heap.push({ tag: Math.max(server.tag, this.#virtualTime), since: server.since, ring, head: 0 });
    }
    let sequence = this.#sequence;
    const out: Array<LinedUp<T>> = [];
    for (let server = heap.pop(); server; server = heap.pop()) {
      const lane = server.ring[server.head++] as SimLane<T>;
      out.push({ item: lane.items[lane.next++] as T, virtualTime: server.tag });
      if (lane.next < lane.items.length) server.ring.push(lane);
      if (server.head < server.ring.length) {
        server.tag++;
        server.since = sequence++;
        heap.push(server);
      }
    }
    return out;
  }

  /** Every waiting item in serving order (see {@link lineup}). */
  order(): T[] {
    return this.lineup().map((x) => x.item);
  }

  /** How many items will be served before `item` if nothing else arrives (0 = next), or -1. */
  position(item: T): number {
    return this.lineup().findIndex((x) => x.item === item);
  }

  #next(eligible?: (item: T) => boolean) {
    let best:
      { server: Server<T>; userId: string; items: T[]; index: number; item: T; tag: number } | undefined;
    for (const server of this.#servers.values()) {
      const tag = Math.max(server.tag, this.#virtualTime);
      if (best && (tag > best.tag || (tag === best.tag && server.since > best.server.since))) continue;
      for (const [userId, items] of server.lanes) {
        const index = eligible ? items.findIndex(eligible) : 0;
        if (index < 0) continue;
        best = { server, userId, items, index, item: items[index] as T, tag };
        break;
      }
    }
    return best;
  }

  #server(guildId: string, tag?: number): Server<T> {
    let server = this.#servers.get(guildId);
    if (!server) {
      const resumed = this.#finished.get(guildId) ?? -Infinity;
      this.#finished.delete(guildId);
      server = {
        guildId,
        tag: tag ?? Math.max(this.#virtualTime, resumed),
        since: this.#sequence++,
        lanes: new Map(),
        size: 0,
      };
      this.#servers.set(guildId, server);
    }
    return server;
  }

  #retire(server: Server<T>): void {
    this.#servers.delete(server.guildId);
    if (server.tag > this.#virtualTime) this.#finished.set(server.guildId, server.tag);
    // Tags at or below the virtual time mean nothing any more: forget them (bounded memory).
    if (this.#finished.size > 64 + this.#servers.size) {
      for (const [guildId, tag] of this.#finished) {
        if (tag <= this.#virtualTime) this.#finished.delete(guildId);
      }
    }
  }
}

/** What {@link FairQueue.peek} and {@link FairQueue.shift} return. */
export interface Turn<T> {
  readonly item: T;
  readonly guildId: string;
  /** The virtual time of this turn (the server's effective tag). */
  readonly tag: number;
}

/** One entry of {@link FairQueue.lineup}. */
export interface LinedUp<T> {
  readonly item: T;
  /** The virtual time of its turn: how many turns each other waiting server may take first, roughly. */
  readonly virtualTime: number;
}

interface Server<T> {
  readonly guildId: string;
  tag: number;
  /** Tie-break among equal tags: smaller = has held its tag longer. */
  since: number;
  /** Member lanes in ring order; the lane served last moves to the end. */
  readonly lanes: Map<string, T[]>;
  size: number;
}

function lane<T>(server: Server<T>, userId: string): T[] {
  let items = server.lanes.get(userId);
  if (!items) {
    items = [];
    server.lanes.set(userId, items);
  }
  return items;
}

interface SimLane<T> {
  readonly items: readonly T[];
  next: number;
}
interface SimServer<T> {
  tag: number;
  since: number;
  readonly ring: Array<SimLane<T>>;
  head: number;
}

/** A binary min-heap, for the lineup's simulation. */
class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.#less = compare;
  }
  push(item: T): void {
    const a = this.#items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.#less(a[i] as T, a[parent] as T) >= 0) break;
      [a[i], a[parent]] = [a[parent] as T, a[i] as T];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.#less(a[l] as T, a[m] as T) < 0) m = l;
      if (r < a.length && this.#less(a[r] as T, a[m] as T) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as T, a[i] as T];
      i = m;
    }
    return top;
  }
}
