# syntax=docker/dockerfile:1
# Build stage: install everything, typecheck, then keep only production dependencies.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npx tsc --noEmit
# Types stripped ahead of time (scripts/build.ts): running .js keeps Node's stripper out of memory.
RUN npm run build
RUN npm prune --omit=dev

# Runtime stage: Node 24 runs the built JavaScript (dist/) as a non-root user; the sources stay for
# the doctor and the health check, which run as TypeScript.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/src ./src
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts ./scripts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
ENV DATABASE_URL=sqlite:///app/data/bot.sqlite
# /healthz and /metrics inside the container (127.0.0.1 only; METRICS_HOST=0.0.0.0 to scrape from outside).
ENV METRICS_PORT=9464
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "scripts/healthcheck.ts"]
# SIGTERM starts a graceful shutdown of at most SHUTDOWN_GRACE_MS + 4 s (9 s by default), inside Docker's 10 s.
STOPSIGNAL SIGTERM
# Settings measured for a small footprint (see README, "Footprint"); the same as `npm start`:
# at most two malloc arenas (glibc), and two V8 flags.
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--optimize-for-size", "--max-semi-space-size=1", "dist/src/main.js"]
