import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository's root folder. */
export const ROOT = new URL('../../', import.meta.url).pathname;

/** A child process running one of the project's scripts, with its combined output so far. */
export type ScriptProcess = ChildProcess & { output: () => string };

/**
 * Runs a project script (`src/main.ts` is what `npm start` runs) with exactly this environment:
 * no .env and nothing inherited but PATH.
 */
export function startScript(
  script: string,
  env: Record<string, string>,
  cwd: string,
  args: readonly string[] = [],
): ScriptProcess {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** How a child process ended (resolves at once if it already has). */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Polls `check` until it holds; rejects naming `what` (and `detail()`, if given) after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 20_000,
  detail: () => string = () => '',
): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out waiting for ${what}${detail() ? `:\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A loopback port that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
