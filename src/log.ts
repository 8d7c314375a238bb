import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactUrl, urlPassword } from './redact.ts';

export type { Logger };

/** Shorter strings are never treated as secrets: scrubbing them would mangle ordinary log text. */
const MIN_SECRET_LENGTH = 8;

/** How the process logger is built; every field is optional. */
export interface LogOptions {
  /**
   * Values that must never reach the log: the Discord token, the Mistral key, and the passwords of
   * `REDIS_URL` and `DATABASE_URL` (`urlPassword` in redact.ts), so a password is removed even
   * where it appears outside its URL. They are cut out of every serialized line, wherever they sit:
   * in a message, a nested error, a header, a URL.
   */
  readonly secrets?: readonly string[];
  /** Human-readable lines through pino-pretty (a dev dependency) instead of JSON. */
  readonly pretty?: boolean;
  /** Where lines go (tests); stdout when absent. Ignored when `pretty` is on. */
  readonly destination?: DestinationStream;
}

/**
 * Fields whose value is a credential by its name, wherever they sit in a line: an interaction's
 * `token`, an `Authorization` header, a config's `apiKey`. Matched on the written JSON, so a
 * string value of that name is censored at any depth.
 */
const CREDENTIAL_FIELD = /"(token|apiKey|authorization|discordToken|mistralApiKey)":"(?:[^"\\]|\\.)*"/gi;

/**
 * The process logger: JSON lines on stdout (or pino-pretty in development). Secrets are removed
 * three ways, all on the written line, so no shape of object escapes them (an error object or an
 * HTTP error whose shape nobody controls): fields named like a credential (`token`,
 * `authorization`, `apiKey`…) are censored at any depth; the secret values themselves are cut out
 * wherever they sit, in a message, a nested error, a header, a URL; and the password of any URL
 * in a line (`redis://user:password@host`) becomes `***`, even for URLs nobody listed (a library's
 * error message quoting its connection string). (pino's own `redact` paths would do the first
 * job at about a tenth of a millisecond per line, parsing every path for every top-level field.)
 * Prompt and answer text belong at `debug` only: nothing here logs them by itself.
 */
export function createLogger(level: string, options: LogOptions = {}): Logger {
  const scrubSecrets = secretScrubber(options.secrets ?? []);
  const scrub = (line: string) =>
    redactUrl(scrubSecrets(line)).replace(CREDENTIAL_FIELD, (_, name: string) => `"${name}":"[redacted]"`);
  const config: LoggerOptions = {
    level,
    base: { app: 'mistral-discord-gate' },
    // A refusal logs its `cause`: serialized like `err` (message, stack, nested causes), not as `{}`.
    serializers: { err: pino.stdSerializers.err, cause: pino.stdSerializers.err },
    hooks: { streamWrite: scrub },
  };
  if (options.pretty && prettyAvailable()) {
    return pino({
      ...config,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

/**
 * A function that replaces every occurrence of the given secrets in a string with `[redacted]`.
 * Secrets shorter than 8 characters are ignored (no real token or key is that short).
 */
export function secretScrubber(secrets: readonly string[]): (line: string) => string {
  const values = [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= MIN_SECRET_LENGTH))];
  if (values.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const secret of values) if (out.includes(secret)) out = out.replaceAll(secret, '[redacted]');
    return out;
  };
}

/** pino-pretty is a dev dependency: a production install without it falls back to JSON lines. */
function prettyAvailable(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The values no log line may hold, from the configuration: the Discord token, the Mistral key and
 * the passwords in `REDIS_URL` and `DATABASE_URL`.
 */
export function configSecrets(config: {
  readonly discordToken: string;
  readonly mistralApiKey: string;
  readonly redisUrl: string | undefined;
  readonly databaseUrl: string;
}): string[] {
  return [
    config.discordToken,
    config.mistralApiKey,
    urlPassword(config.redisUrl),
    urlPassword(config.databaseUrl),
  ].filter((s): s is string => s !== undefined);
}
