/** Discord's limit on one message's content. */
export const MESSAGE_LIMIT = 2000;

/** One message of a split answer: `reopen + body + close`, where only `body` is the answer's text. */
export interface MessagePart {
  /** A fence line (```lang\n) reopening a code block the previous part had to close, or ''. */
  readonly reopen: string;
  /** A slice of the original text; the bodies of all parts, joined, are the original text. */
  readonly body: string;
  /** A fence line closing a code block cut by this split ('```' or '\n```'), or ''. */
  readonly close: string;
}

const FENCE = /^ {0,3}```/;

/**
 * The code-block language open at `pos` (after the text before it; '' for a fence without
 * one), or `undefined` outside a fence. Only whole lines before `pos` count, so a fence line
 * still being written is not open yet. As Discord renders them (unlike CommonMark), any fence
 * line closes an open block, even one with text after the backticks such as "```ts".
 */
export function fenceAt(text: string, pos: number): string | undefined {
  let open: string | undefined;
  let lineStart = 0;
  while (lineStart < pos) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    if (lineEnd >= pos) break; // the line the cut falls in has not ended yet
    const line = text.slice(lineStart, lineEnd);
    if (FENCE.test(line)) {
      const info = line.replace(FENCE, '').trim();
      if (open === undefined) open = info.split(/\s/)[0] ?? '';
      else open = undefined;
    }
    lineStart = lineEnd + 1;
  }
  return open;
}

/** The best place to end a part in `window`: paragraph, then line, then word, then anywhere. */
function breakIn(window: string): number {
  const min = Math.floor(window.length / 3);
  const para = window.lastIndexOf('\n\n');
  if (para >= min) return para + 2;
  const line = window.lastIndexOf('\n');
  if (line >= min) return line + 1;
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space >= min) return space + 1;
  if (para > 0) return para + 2;
  if (line > 0) return line + 1;
  if (space > 0) return space + 1;
  // A hard cut; never between the two halves of a surrogate pair.
  const code = window.charCodeAt(window.length - 1);
  return code >= 0xd800 && code <= 0xdbff ? window.length - 1 : window.length;
}

/** One part cut off the front of what is left of a text, and where the rest starts. */
export interface Cut {
  readonly part: MessagePart;
  /** Index in the text where the next part's body starts. */
  readonly next: number;
  /** The fence line the next part must start with ('' outside a code block). */
  readonly reopen: string;
}

/**
 * Cuts the next part off `text` at `pos`, for a rest that does not fit in one message
 * (`reopen.length + text.length - pos > limit`). The decision depends only on the text before
 * `pos + limit`, so a streamed answer can be cut as it grows and still end up exactly as
 * {@link splitMessageParts} would split the whole.
 */
export function cutPart(text: string, pos: number, reopen: string, limit = MESSAGE_LIMIT): Cut {
  // Room for the worst case: a reopened fence in front and '\n```' behind.
  const budget = limit - reopen.length - 4;
  const cut = pos + breakIn(text.slice(pos, pos + budget));
  const body = text.slice(pos, cut);
  const lang = fenceAt(text, cut);
  const close = lang === undefined ? '' : body.endsWith('\n') ? '```' : '\n```';
  return {
    part: { reopen, body, close },
    next: cut,
    reopen: lang === undefined ? '' : '```' + lang + '\n',
  };
}

/**
 * Splits an answer into parts of at most `limit` characters. Parts end at paragraph, line or
 * word boundaries when one is near; a code block cut by a split is closed at the end of one
 * part and reopened with the same language at the start of the next. Nothing is dropped,
 * reordered or repeated: the bodies, joined, are exactly `text`.
 */
export function splitMessageParts(text: string, limit = MESSAGE_LIMIT): MessagePart[] {
  const parts: MessagePart[] = [];
  let pos = 0;
  let reopen = '';
  while (pos < text.length) {
    if (reopen.length + text.length - pos <= limit) {
      parts.push({ reopen, body: text.slice(pos), close: '' });
      break;
    }
    const cut = cutPart(text, pos, reopen, limit);
    parts.push(cut.part);
    ({ next: pos, reopen } = cut);
  }
  return parts;
}

/** {@link splitMessageParts}, as the message contents to send. */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  return splitMessageParts(text, limit).map((p) => p.reopen + p.body + p.close);
}
