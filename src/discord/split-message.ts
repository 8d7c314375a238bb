/** Discord's limit on one message's content. */
export const MESSAGE_LIMIT = 2000;

/**
 * The smallest limit the splitter accepts: room for a reopened fence (```` ```\n ````), a few
 * characters of the answer and a closing fence (`\n```` ``` ````). Smaller limits throw a RangeError.
 */
export const MIN_MESSAGE_LIMIT = 16;

/**
 * The longest language word repeated when a code block is reopened in the next message. A longer
 * word, or one with characters no highlighter name has, reopens the block as a bare fence: the
 * reopened fence line must stay short, or it would eat the next message (the word comes from the
 * model, so a member can make it as long as they like).
 */
export const MAX_REOPEN_LANGUAGE = 32;

/** One message of a split answer: `reopen + body + close`, where only `body` is the answer's text. */
export interface MessagePart {
  /**
   * What the part starts with so it renders as the answer does at that point, or ''. Usually a
   * fence line reopening a code block the previous part had to close (```` ```lang\n ````, or
   * ```` ```\n ```` when the language is too long or odd). Two rarer forms: ```` ``` ```` with no
   * line break, when the cut fell inside a fence line (the rest of that line continues it), and
   * ```` ```\n ```` outside a code block, when the part starts with backticks that would otherwise
   * open a block the answer does not have (the fence pairs with them).
   */
  readonly reopen: string;
  /** A slice of the original text; the bodies of all parts, joined, are the original text. */
  readonly body: string;
  /** A fence line closing a code block cut by this split ('```' or '\n```'), or ''. */
  readonly close: string;
}

const FENCE = /^ {0,3}```/;
/** The longest text a fence marker can take at the start of a line: three spaces and three backticks. */
const MARKER_SPAN = 6;
const LANGUAGE = /^[A-Za-z0-9_+#.-]+$/;
/** Behind every body: a closing fence ('\n```') and one character the cut may look at after the window. */
const RESERVE = 5;
/** The fewest characters a part's body may hold when cut: more than a fence marker, so cuts can avoid one. */
const MIN_BODY = 7;

/**
 * How far a left-to-right reading of a text's fence lines has got, so the next reading can go on
 * from there instead of from the start (splitting stays linear in the text's length). Only lines
 * that have ended are read, so a state stays valid while text is appended.
 */
export interface FenceScan {
  /** Where the first line not read yet starts; every line before it has ended and been read. */
  readonly lineStart: number;
  /** The text from `lineStart` up to here holds no line break (a search for one resumes here). */
  readonly searchedTo: number;
  /** The language of the code block open at `lineStart` ('' when it has none we repeat), or undefined. */
  readonly open: string | undefined;
}

/** A reading of a text that has not started. */
export const FENCE_SCAN_START: FenceScan = Object.freeze({ lineStart: 0, searchedTo: 0, open: undefined });

/**
 * Reads the fence lines of `text` that end before `pos`, going on from `from` (which must come
 * from the same text, or from a shorter text it extends). As Discord renders them (unlike
 * CommonMark), any fence line closes an open block, even one with text after the backticks. Runs
 * in time proportional to the text between `from` and `pos`.
 */
export function scanFences(text: string, pos: number, from: FenceScan = FENCE_SCAN_START): FenceScan {
  let { lineStart, searchedTo, open } = from.lineStart <= pos ? from : FENCE_SCAN_START;
  for (;;) {
    const searchFrom = Math.max(lineStart, searchedTo);
    if (searchFrom >= pos) break;
    // Searching only up to `pos` keeps every reading bounded, however long the line.
    const found = text.slice(searchFrom, pos).indexOf('\n');
    if (found === -1) {
      searchedTo = pos;
      break;
    }
    const lineEnd = searchFrom + found;
    const marker = markerLength(text, lineStart);
    if (marker > 0) open = open === undefined ? languageOf(text, lineStart + marker, lineEnd) : undefined;
    lineStart = lineEnd + 1;
    searchedTo = lineStart;
  }
  return { lineStart, searchedTo, open };
}

/**
 * The code-block language open at `pos` (after the text before it; '' for a fence without one or
 * with a language too long or odd to repeat), or `undefined` outside a fence. Only whole lines
 * before `pos` count, so a fence line still being written is not open yet.
 */
export function fenceAt(text: string, pos: number): string | undefined {
  return scanFences(text, pos).open;
}

/** The length of the fence marker (up to three spaces and ```) the line at `lineStart` begins with, or 0. */
function markerLength(text: string, lineStart: number): number {
  return FENCE.exec(text.slice(lineStart, lineStart + MARKER_SPAN))?.[0].length ?? 0;
}

/** The first word of a fence line's info string, when it is a language worth repeating; else ''. */
function languageOf(text: string, infoStart: number, lineEnd: number): string {
  const headEnd = Math.min(lineEnd, infoStart + 2 * MAX_REOPEN_LANGUAGE);
  const head = text.slice(infoStart, headEnd);
  const match = /^\s*(\S*)/.exec(head);
  const word = match?.[1] ?? '';
  const reachesEnd = (match?.[0].length ?? 0) === head.length && headEnd < lineEnd;
  if (reachesEnd || word.length > MAX_REOPEN_LANGUAGE || !LANGUAGE.test(word)) return '';
  return word;
}

/** Whether the fence lines of `content` (all of them, the last one too) leave a code block open. */
function leavesFenceOpen(content: string): boolean {
  let open = false;
  for (let lineStart = 0; lineStart <= content.length;) {
    if (markerLength(content, lineStart) > 0) open = !open;
    const nl = content.indexOf('\n', lineStart);
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return open;
}

/** The best place to end a part in `window`, in 1..window.length: paragraph, then line, then word, then anywhere. */
function breakIn(window: string): number {
  const min = Math.floor(window.length / 3);
  const para = window.lastIndexOf('\n\n');
  if (para >= min) return para + 2;
  const line = window.lastIndexOf('\n');
  if (line >= min) return line + 1;
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space >= min) return space + 1;
  if (para > 0) return para + 2;
  if (line >= 0) return line + 1;
  if (space >= 0) return space + 1;
  return window.length;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Whether a cut at `c` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, c: number): boolean {
  return isHigh(text.charCodeAt(c - 1)) && isLow(text.charCodeAt(c));
}

/**
 * Whether a cut at `c` (in a line starting at `lineStart`) keeps the rendering faithful: it does
 * not split a fence marker, and the rest of a cut line does not start with one (which would read
 * as a fence at the top of the next message).
 */
function isCleanCut(text: string, c: number, lineStart: number): boolean {
  if (c === lineStart) return true;
  const marker = markerLength(text, lineStart);
  if (marker > 0 && c < lineStart + marker) return false;
  return !FENCE.test(text.slice(c, c + MARKER_SPAN));
}

/** One part cut off the front of what is left of a text, and where the rest starts. */
export interface Cut {
  readonly part: MessagePart;
  /** Index in the text where the next part's body starts; always past `pos`. */
  readonly next: number;
  /** What the next part must start with (see {@link MessagePart.reopen}). */
  readonly reopen: string;
  /** The fence reading at `next`, to hand to the next call. */
  readonly scan: FenceScan;
}

/**
 * Cuts the next part off `text` at `pos`, for a rest that does not fit in one message
 * (`reopen.length + text.length - pos > limit`). The decision depends only on the text before
 * `pos + limit - reopen.length + 1`, so a streamed answer can be cut as it grows and still end up
 * exactly as {@link splitMessageParts} would split the whole.
 *
 * Always makes progress (the body holds at least one code point, never half a surrogate pair) and
 * runs in time proportional to `limit` plus the text between `scan` and the cut: pass the previous
 * cut's `scan` to keep a whole split linear; without it the text before `pos` is read again.
 *
 * Throws a RangeError when `limit` is below {@link MIN_MESSAGE_LIMIT}, `pos` is not inside the text,
 * or `reopen` leaves no room (reopens from earlier cuts always leave room).
 */
export function cutPart(
  text: string,
  pos: number,
  reopen: string,
  limit = MESSAGE_LIMIT,
  scan: FenceScan = FENCE_SCAN_START,
): Cut {
  checkLimit(limit);
  if (!Number.isInteger(pos) || pos < 0 || pos >= text.length) {
    throw new RangeError(`cutPart: position ${pos} is not inside a text of ${text.length} characters`);
  }
  const budget = Math.min(limit - reopen.length - RESERVE, text.length - pos);
  if (budget < Math.min(MIN_BODY, text.length - pos)) {
    throw new RangeError(`cutPart: a reopen of ${reopen.length} characters leaves no room in ${limit}`);
  }
  const preferred = pos + breakIn(text.slice(pos, pos + budget));
  // Step back a little from the preferred place when it would split a surrogate pair or a fence
  // marker (at most 6 characters, so 8 steps get past one). When nothing that near is clean (a long
  // run of backticks), the nearest place that keeps pairs whole is taken: reopenAt still keeps
  // every part's fences right, only the rendering of that run suffers.
  const lowest = Math.max(pos + 1, preferred - 8);
  const base = scanFences(text, lowest, scan);
  let cut: number | undefined;
  let fallback: number | undefined;
  for (let c = preferred; c >= lowest && cut === undefined; c--) {
    if (splitsPair(text, c)) continue;
    const nl = text.slice(lowest, c).lastIndexOf('\n');
    const lineStart = nl === -1 ? base.lineStart : lowest + nl + 1;
    fallback ??= c;
    if (isCleanCut(text, c, lineStart)) cut = c;
  }
  // No place without a split pair below the preferred one (it sits right after a pair at `pos`).
  const next = cut ?? fallback ?? (splitsPair(text, preferred) ? preferred + 1 : preferred);
  const body = text.slice(pos, next);
  const close = leavesFenceOpen(reopen + body) ? (body.endsWith('\n') ? '```' : '\n```') : '';
  const after = scanFences(text, next, base);
  return {
    part: { reopen, body, close },
    next,
    reopen: reopenAt(text, next, after, limit),
    scan: after,
  };
}

/**
 * What the part starting at `c` must begin with so that, after its first line, it is inside a code
 * block exactly when the answer is after that line. `scan` is the reading at `c`.
 */
function reopenAt(text: string, c: number, scan: FenceScan, limit: number): string {
  const { lineStart, open } = scan;
  if (c === lineStart) return open === undefined ? '' : fenceLine(open, limit);
  const lineIsFence = markerLength(text, lineStart) > 0;
  const openAfterLine = lineIsFence ? open === undefined : open !== undefined;
  const restIsFence = FENCE.test(text.slice(c, c + MARKER_SPAN));
  if (!openAfterLine) return restIsFence ? '```\n' : '';
  if (lineIsFence || restIsFence || open === undefined) return '```';
  return fenceLine(open, limit);
}

/** A fence line reopening a block in `language`, bare when the language would crowd the part. */
function fenceLine(language: string, limit: number): string {
  const line = `\`\`\`${language}\n`;
  return language !== '' && limit - line.length - RESERVE >= MIN_BODY ? line : '```\n';
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < MIN_MESSAGE_LIMIT) {
    throw new RangeError(`A message limit must be an integer of at least ${MIN_MESSAGE_LIMIT}, got ${limit}`);
  }
}

/**
 * Splits an answer into parts of at most `limit` characters. Parts end at paragraph, line or
 * word boundaries when one is near; a code block cut by a split is closed at the end of one
 * part and reopened with the same language at the start of the next. Nothing is dropped,
 * reordered or repeated: the bodies, joined, are exactly `text`. Every part but the last has
 * balanced fences; the last one too when the whole text has.
 *
 * Linear in the text's length, whatever the text (fence lines longer than a message, no
 * whitespace at all, emoji); throws a RangeError for a limit below {@link MIN_MESSAGE_LIMIT}.
 */
export function splitMessageParts(text: string, limit = MESSAGE_LIMIT): MessagePart[] {
  checkLimit(limit);
  const parts: MessagePart[] = [];
  let pos = 0;
  let reopen = '';
  let scan = FENCE_SCAN_START;
  while (pos < text.length) {
    if (reopen.length + text.length - pos <= limit) {
      parts.push({ reopen, body: text.slice(pos), close: '' });
      break;
    }
    const cut = cutPart(text, pos, reopen, limit, scan);
    parts.push(cut.part);
    ({ next: pos, reopen, scan } = cut);
  }
  return parts;
}

/** {@link splitMessageParts}, as the message contents to send. */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  return splitMessageParts(text, limit).map((p) => p.reopen + p.body + p.close);
}
