/**
 * `scheme://user:password@`: the userinfo of a URL with a password. The password runs to the last
 * `@` before whitespace or an unescaped double quote, so one that holds an unencoded `@` or `/` is
 * hidden whole, and a URL inside a JSON string (where a quote in it is `\"`) ends at the string's end.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/"]*):((?:[^\s"\\]|\\.)+)@/gi;

/**
 * A URL (or any text holding URLs) fit to print: the password in each URL's userinfo becomes
 * `***`; the scheme, user name, host, port, path and query stay, so a reader can still tell
 * which server is meant (`redis://:***@cache:6379/0`, `rediss://user:***@host`). Works for every
 * scheme (redis, rediss, http(s), sqlite, …) and leaves text without such a URL unchanged.
 *
 * Limits: a user name alone (`https://token@host`) is kept, since there is no way to tell a token
 * from a name; a query string holding `@` after a `user:` look-alike may be hidden more than needed.
 * Secrets passed in other ways (a query parameter, a header) are the logger's known-secret
 * scrubbing's job.
 */
export function redactUrl(text: string): string {
  return text.includes('://') ? text.replace(URL_CREDENTIALS, '$1$2:***@') : text;
}

/**
 * The password of a URL's userinfo (percent-decoded), when it has one: what to hand the logger as a
 * known secret, so it is also removed where it appears outside its URL. Undefined for text that is
 * not a URL or has no password.
 */
export function urlPassword(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const { password } = new URL(url);
  if (password === '') return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}
