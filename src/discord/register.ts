import { createHash } from 'node:crypto';
import { Routes, type REST, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from '../log.ts';
import type { SettingsStore } from '../store/settings.ts';

export interface RegisterOptions {
  readonly rest: REST;
  readonly applicationId: string;
  /** Register to this guild only (instant; for development); global otherwise. */
  readonly guildId: string | undefined;
  readonly definitions: readonly RESTPostAPIApplicationCommandsJSONBody[];
  readonly settings: SettingsStore;
  readonly log: Logger;
  /** Overwrite even when the stored hash says nothing changed. */
  readonly force?: boolean;
}

/**
 * Bulk-overwrites the slash commands, but only when their definitions changed since the last
 * successful registration (a hash is kept in the store): Discord allows 200 creates per day per
 * guild, and a restart loop must not burn them.
 */
export async function registerCommands(o: RegisterOptions): Promise<'updated' | 'unchanged'> {
  const hash = createHash('sha256').update(JSON.stringify(o.definitions)).digest('hex');
  const key = `commands:${o.applicationId}:${o.guildId ?? 'global'}`;
  if (!o.force && (await o.settings.meta(key)) === hash) {
    o.log.info({ scope: o.guildId ?? 'global' }, 'slash commands unchanged');
    return 'unchanged';
  }
  const route = o.guildId
    ? Routes.applicationGuildCommands(o.applicationId, o.guildId)
    : Routes.applicationCommands(o.applicationId);
  await o.rest.put(route, { body: o.definitions });
  await o.settings.setMeta(key, hash);
  o.log.info({ scope: o.guildId ?? 'global', count: o.definitions.length }, 'slash commands registered');
  return 'updated';
}
