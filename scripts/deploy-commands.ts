/**
 * Registers the slash commands by hand (the bot also does it at start-up when they change).
 * Usage: npm run deploy-commands [-- --guild <id>]
 */
import 'dotenv/config';
import { REST, Routes, type APIApplication } from 'discord.js';
import { commandDefinitions } from '../src/commands/index.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { configSecrets, createLogger } from '../src/log.ts';
import { registerCommands } from '../src/discord/register.ts';
import { createSettingsStore } from '../src/store/settings.ts';
import { openStore } from '../src/store/open-store.ts';

try {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel, {
    secrets: configSecrets(config),
  });
  const flag = process.argv.indexOf('--guild');
  const guildId = flag >= 0 ? process.argv[flag + 1] : config.devGuildId;
  const rest = new REST({ api: config.discordApiUrl }).setToken(config.discordToken);
  const application = (await rest.get(Routes.currentApplication())) as APIApplication;
  const store = await openStore(config.databaseUrl);
  try {
    await registerCommands({
      rest,
      applicationId: application.id,
      guildId,
      definitions: commandDefinitions,
      settings: createSettingsStore((ns) => store.keyv(ns)),
      log,
      force: true,
    });
  } finally {
    await store.close();
  }
  console.log(
    `Registered ${commandDefinitions.length} commands ${guildId ? `to server ${guildId}` : 'globally'}.`,
  );
} catch (error) {
  if (error instanceof ConfigError) for (const line of error.problems) console.error(line);
  else
    console.error(
      `Could not register the commands: ${error instanceof Error ? error.message : String(error)}`,
    );
  process.exitCode = 1;
}
