# syntax=docker/dockerfile:1
#
# aws-orchestrator: one image for every role.
#   docker build -t aws-orchestrator .
#   docker run --env-file .env -p 3000:3000 aws-orchestrator                 # web + worker in one process
#   docker run --env-file .env -p 3000:3000 aws-orchestrator --role web      # Slack requests, /healthz, /readyz, /metrics
#   docker run --env-file .env aws-orchestrator --role worker                # answers (health on WORKER_HEALTH_PORT)
#   docker run --env-file .env -it --entrypoint node aws-orchestrator dist/cli/ask.js "How do I set up ECS?"
# ROLE=web|worker|all in the environment works as well as --role.

# Node 26 is the Active LTS line (since 2026-10-28); the code also runs on Node 20 and later.
ARG NODE_VERSION=26

# ---- build: compile TypeScript to dist/ ------------------------------------------------------
FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled code only ----------------------------
FROM node:${NODE_VERSION}-trixie-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's unprivileged user; the app writes nothing to disk.
USER node
# PORT (web role) and WORKER_HEALTH_PORT (a worker started alone).
EXPOSE 3000 3001
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["node", "dist/ops/healthcheck.js"]
# SIGTERM lets answers in flight finish (SHUTDOWN_GRACE_MS, 25 s by default): give containers
# a stop timeout above that (compose: stop_grace_period; Kubernetes: terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/main.js"]
