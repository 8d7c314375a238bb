import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

/** The answer of `GET /healthz`. */
export interface HealthReport {
  readonly ok: boolean;
  /** Short, safe to show: what is wrong (absent when ok). */
  readonly reason?: string;
}

/** What `/healthz` checks; each probe is bounded by `timeoutMs`. */
export interface HealthProbes {
  /** True while the gateway session is ready (logged in, not reconnecting). */
  readonly gatewayReady: () => boolean;
  /** The store's cheap liveness check; throws when the store does not answer. */
  readonly pingStore: () => Promise<void>;
  /** True once shutdown began: the process is going away, so it is not healthy any more. */
  readonly closing?: () => boolean;
  readonly timeoutMs?: number;
}

/** Runs the health probes: gateway, then store. Never throws. */
export async function checkHealth(probes: HealthProbes): Promise<HealthReport> {
  if (probes.closing?.()) return { ok: false, reason: 'shutting down' };
  if (!probes.gatewayReady()) return { ok: false, reason: 'discord: not connected to the gateway' };
  const timeoutMs = probes.timeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probes.pingStore(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `store: ${message.replace(/\s+/g, ' ').slice(0, 120)}` };
  } finally {
    clearTimeout(timer);
  }
  return { ok: true };
}

export interface OpsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly health: () => Promise<HealthReport>;
  readonly metrics: { readonly contentType: string; render(): Promise<string> };
  readonly log: Logger;
}

/** A running ops listener. */
export interface OpsServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The operator's HTTP listener: `GET /healthz` (200 `{"status":"ok"}`, else 503 with a short
 * `reason`) and `GET /metrics` (Prometheus text). Anything else is 404. Bound to `host` only
 * (127.0.0.1 by default): it has no authentication, so expose it deliberately.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { log } = options;
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      log.error({ err: error, path: req.url }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ status: 'error' }));
      else res.destroy();
    });
  });
  // Scrapes and health checks are short; do not let a stuck client hold shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ url }, 'health and metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: OpsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'application/json', JSON.stringify({ status: 'method not allowed' }), {
      allow: 'GET, HEAD',
    });
    return;
  }
  if (path === '/healthz') {
    const report = await options.health();
    const body = report.ok ? { status: 'ok' } : { status: 'unavailable', reason: report.reason };
    send(res, report.ok ? 200 : 503, 'application/json', JSON.stringify(body));
    return;
  }
  if (path === '/metrics') {
    send(res, 200, options.metrics.contentType, await options.metrics.render());
    return;
  }
  send(
    res,
    404,
    'application/json',
    JSON.stringify({ status: 'not found', endpoints: ['/healthz', '/metrics'] }),
  );
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
