import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stdout. Secrets never reach it because they are only
 * ever held by the Config object, which is redacted wherever it could be logged.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'mistral-discord-gate' },
    redact: {
      paths: ['config.discordToken', 'config.mistralApiKey', '*.token', '*.apiKey', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
