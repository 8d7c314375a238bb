/** What a waiting member would be told now: place in line (0 = next), wait estimate, stall. */
export interface NoticeView {
  readonly position: number;
  readonly etaMs: number;
  readonly stalled: boolean;
}

/** A notice given, and when (`performance.now()`). */
export interface GivenNotice extends NoticeView {
  readonly at: number;
}

/**
 * When the gate tells a waiting member about their place in line. Each notice becomes one
 * Discord message edit, and Discord allows a bot about 50 requests per second in total, so
 * notices must not grow with the queue: the front of the line hears every change, the rest only
 * meaningful ones, and not too often.
 */
export interface NoticePolicy {
  /** Positions `0 … frontPositions - 1` (#1–#5 by default) are told of every change. */
  readonly frontPositions: number;
  /** The least time between two notices to a member further back. */
  readonly minGapMs: number;
  /** Notices per second all members further back may get together ({@link planNotices} shares them out). */
  readonly farPerSecond: number;
  /** Further back, a move of less than this share of the last position told is not worth a notice. */
  readonly positionStep: number;
  /**
   * At the front, a wait estimate that moved less than this (ms) is not worth a notice; further
   * back, neither is one that moved less than a quarter.
   */
  readonly etaStepMs: number;
}

/**
 * The default policy: #1–#5 hear every change; the rest at most every 12 s and only when they
 * moved at least 10 %, their estimate moved, or a stall began or ended, sharing 20 notices per
 * second ({@link planNotices}), most-misinformed first. So however many wait, there are never
 * more than 5 notices per change plus 20 per second.
 */
export const DEFAULT_NOTICE_POLICY: NoticePolicy = Object.freeze({
  frontPositions: 5,
  minGapMs: 12_000,
  farPerSecond: 20,
  positionStep: 0.1,
  etaStepMs: 5_000,
});

/** Every change told to everyone: what a gate without a policy does (for comparison). */
export const EVERY_CHANGE: NoticePolicy = Object.freeze({
  frontPositions: Infinity,
  minGapMs: 0,
  farPerSecond: Infinity,
  positionStep: 0,
  etaStepMs: 0,
});

/**
 * Whether a member waiting in line should be told `next` now, given the last notice they got
 * (`undefined`: none yet, so yes) and the time. Pure.
 */
export function noticeDue(
  last: GivenNotice | undefined,
  next: NoticeView,
  now: number,
  policy: NoticePolicy = DEFAULT_NOTICE_POLICY,
): boolean {
  if (!last) return true;
  const stallChanged = next.stalled !== last.stalled;
  const etaMove = Math.abs(next.etaMs - last.etaMs);
  if (next.position < policy.frontPositions) {
    return stallChanged || next.position !== last.position || (etaMove > 0 && etaMove >= policy.etaStepMs);
  }
  if (now - last.at < policy.minGapMs) return false;
  const step = Math.max(1, Math.ceil(last.position * policy.positionStep));
  return (
    stallChanged ||
    Math.abs(next.position - last.position) >= step ||
    (etaMove > 0 && etaMove >= Math.max(policy.etaStepMs, last.etaMs / 4))
  );
}

/** One waiting member for {@link planNotices}: the last notice they got and what they would be told now. */
export interface NoticeCandidate {
  readonly last: GivenNotice | undefined;
  readonly next: NoticeView;
}

/**
 * Which of the waiting members to tell now (indices into `candidates`, which are in line order).
 * The front of the line gets every due notice; members further back share `allowance` (the
 * gate refills it at `farPerSecond`), stalest first, so members who all asked at once, and so
 * fall due at once, are spread out instead of sent in one burst. Pure.
 */
export function planNotices(
  candidates: readonly NoticeCandidate[],
  now: number,
  allowance: number,
  policy: NoticePolicy = DEFAULT_NOTICE_POLICY,
): number[] {
  const front: number[] = [];
  const far: number[] = [];
  candidates.forEach(({ last, next }, index) => {
    if (!noticeDue(last, next, now, policy)) return;
    if (next.position < policy.frontPositions) front.push(index);
    else far.push(index);
  });
  if (far.length > allowance) {
    // Never told first, then whoever's shown place is most off (relatively), then the nearer one.
    const off = (i: number) => {
      const c = candidates[i];
      if (!c?.last) return Infinity;
      if (c.last.stalled !== c.next.stalled) return Infinity;
      return Math.abs(c.next.position - c.last.position) / Math.max(1, c.next.position);
    };
    far.sort((a, b) => off(b) - off(a) || a - b);
    far.length = Math.max(0, Math.floor(allowance));
  }
  return [...front, ...far].sort((a, b) => a - b);
}
