/**
 * Checks the configuration without starting the bot: variables, Discord token, Mistral key,
 * store and Redis; prints the invite URL. Exit code 0 only when everything needed is fine.
 * Usage: npm run doctor [-- --probe]   (--probe: one 1-token completion per model, to read its limits)
 */
import 'dotenv/config';
import { runDoctor } from '../src/ops/doctor.ts';
import { redactUrl } from '../src/redact.ts';

const probe = process.argv.includes('--probe');
try {
  process.exitCode = await runDoctor({ env: process.env, probe, print: (line) => console.log(line) });
} catch (error) {
  console.error(
    `✗ the doctor itself failed: ${redactUrl(error instanceof Error ? error.message : String(error))}`,
  );
  process.exitCode = 1;
}
