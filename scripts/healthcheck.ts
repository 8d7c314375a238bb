/**
 * The Docker HEALTHCHECK: exits 0 when the bot's `/healthz` answers 200 within 4 s, else 1.
 * Uses node itself (node:24-slim has no curl). With `METRICS_PORT` unset or 0 there is no fixed
 * listener to ask, so it reports healthy; the image sets METRICS_PORT=9464 for this reason.
 */
const port = process.env.METRICS_PORT?.trim();
if (!port || port === '0') process.exit(0);
const configured = process.env.METRICS_HOST?.trim() || '127.0.0.1';
// A wildcard bind is reached through loopback from inside the container.
const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
try {
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`, {
    signal: AbortSignal.timeout(4_000),
  });
  const body = await res.text();
  if (!res.ok) console.error(`unhealthy: ${res.status} ${body}`);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
