/**
 * Calendar keys for usage accounting. Budgets reset on the first instant of each UTC month, so every
 * key here is computed in UTC: a server's month must not depend on the host's time zone or DST.
 */

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

function assertValidDate(d: Date): void {
  if (Number.isNaN(d.getTime())) {
    throw new RangeError('Expected a valid Date, got Invalid Date');
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The UTC month of `d` as `yyyy-mm` (e.g. `2026-11`), the key budgets and usage rows are grouped by.
 * Limits: years 0000–9999 only (four digits); throws a RangeError on an invalid Date.
 */
export function monthKey(d: Date): string {
  assertValidDate(d);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}`;
}

/**
 * The UTC day of `d` as `yyyy-mm-dd` (e.g. `2026-11-22`), for per-day usage rows. Sorts correctly as
 * a string, which the daily breakdown relies on. Throws a RangeError on an invalid Date.
 */
export function dayKey(d: Date): string {
  return `${monthKey(d)}-${pad2(d.getUTCDate())}`;
}

/**
 * The first instant (UTC) of the month after the one containing `d`: when a monthly budget resets.
 * December rolls over to January of the next year. Throws a RangeError on an invalid Date.
 */
export function nextMonthStart(d: Date): Date {
  assertValidDate(d);
  // Date.UTC normalises month 12 to January of the following year.
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/**
 * The current UTC month key (`yyyy-mm`), worked out again only when the month may have turned or
 * the clock went back: for code that asks several times per question (the gate's model windows).
 */
export function monthClock(now: () => number = Date.now): () => string {
  let key = '';
  let from = Infinity;
  let until = -Infinity;
  return () => {
    const t = now();
    if (t < from || t >= until) {
      const d = new Date(t);
      key = monthKey(d);
      from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      until = nextMonthStart(d).getTime();
    }
    return key;
  };
}

/**
 * Whether `s` is a well-formed month key (`yyyy-mm`, month 01–12). Stores check this before querying
 * so a malformed key fails loudly instead of silently reading an empty (zero-usage) month.
 */
export function isMonthKey(s: string): boolean {
  return MONTH_KEY.test(s);
}
