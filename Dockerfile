# One image per app (the services and the HTTP gateways), from the workspace:   docker build --build-arg APP=user-service -t switchboard/user-service .
# APP is the folder under apps/ (and the package @switchboard/<APP>). Stages:
#   prune   turbo prune: only the app's workspace packages, and a lockfile cut to them
#   build   pnpm install (layer cached on package.json files + lockfile), tsc to JavaScript,
#           pnpm deploy --prod: the app with its production dependencies and nothing else (plus what
#           it reads at run time: rest-gateway's /docs assets are in its @scalar dependency, so
#           nothing is fetched from a CDN; the contracts' doc comments are compiled code of @switchboard/proto)
#   runtime node:24-bookworm-slim minus npm/yarn/headers, compiled JS only (no tsx, no TypeScript), non-root, tini as PID 1
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
# pnpm 10 exactly; the repo's packageManager field is not enforced (pnpm-workspace.yaml).
ARG PNPM_VERSION=10.34.9
ENV CI=true
RUN npm install -g pnpm@${PNPM_VERSION} && npm cache clean --force
WORKDIR /repo

FROM base AS prune
ARG APP
ARG TURBO_VERSION=2.6.1
RUN test -n "${APP}" || { echo "build with --build-arg APP=<folder under apps/>" >&2; exit 1; }
COPY . .
RUN npx --yes turbo@${TURBO_VERSION} prune "@switchboard/${APP}" --docker

FROM base AS build
ARG APP
COPY --from=prune /repo/out/json/ ./
RUN --mount=type=cache,id=switchboard-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --store-dir /pnpm-store
COPY --from=prune /repo/out/full/ ./
COPY tsconfig.base.json ./
# --filter-prod: the app and the workspace packages it needs at run time (not its test-only ones).
RUN pnpm --filter-prod "@switchboard/${APP}..." run build
RUN --mount=type=cache,id=switchboard-pnpm-store,target=/pnpm-store \
    pnpm --filter "@switchboard/${APP}" deploy --prod --legacy --store-dir /pnpm-store /out \
 && rm -rf /out/src /out/test /out/bench /out/scripts /out/fuzz /out/tsconfig*.json /out/vitest.config.ts \
 && find /out/node_modules/.pnpm -mindepth 5 -maxdepth 5 -type d -path '*/node_modules/@switchboard/*/*' \
      \( -name src -o -name test -o -name gen -o -name bench \) -prune -exec rm -rf {} +

# The runtime base: node and tini, without what only builds need (npm, corepack, yarn, C headers, apt
# lists), flattened into one layer so the removed files do not still ship underneath. The same for
# every app, so images share it.
FROM ${NODE_IMAGE} AS node-runtime
# tini forwards SIGTERM to node and reaps zombies, so the service kit's drain runs on `docker stop`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
    /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/include /usr/local/share/doc \
    /usr/share/doc /usr/share/man /usr/share/info \
 && mkdir -p /data && chown 1000:1000 /data

FROM scratch AS runtime
COPY --from=node-runtime / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY --from=build /out/ ./
COPY scripts/container-healthcheck.mjs /usr/local/lib/container-healthcheck.mjs
# The official image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/usr/local/lib/container-healthcheck.mjs", "/app/package.json"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
