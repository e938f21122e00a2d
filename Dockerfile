# The ecs-paas GitHub App as a container: `docker build -t ecs-paas-app .`, or with podman/buildah
# `podman build --format docker -t ecs-paas-app .` (the OCI format has no HEALTHCHECK; podman
# drops it with a warning).
# Configure it only through the environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, AWS_REGION, …,
# as for `npm start`); it listens on PORT (3000).
#
# The base is an argument so a registry mirror, a pinned digest or an offline copy can stand in.
ARG NODE_IMAGE=node:24-slim

# TypeScript → lib/. This stage has the devDependencies; none of it reaches the image but lib/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: compiling needs none, and they are code from the whole dev tree.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build:app

# Production dependencies alone, installed apart so npm's cache stays out of the image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
COPY package.json package-lock.json app.yml ./
# Numeric, so it needs no account in the base image; the App writes nothing to its own files,
# which stay root's and read-only to it.
USER 10001:10001
EXPOSE 3000
# Node itself, since slim and distroless images have no curl. /healthz says the process is alive;
# /readyz (GitHub and AWS reachable) is for the orchestrator's traffic decisions, not restarts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "lib/bot/main.js"]
