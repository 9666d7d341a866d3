# syntax=docker/dockerfile:1
# One image, two programs: `operator` (the install Deployment) and `service` (each tenant's
# Deployment, common/tenant/contract.ts CONTAINER_ARGS). Non-root, no writes outside /tmp, so it runs
# with readOnlyRootFilesystem and the restricted Pod Security Standard.
#   docker build -t ghcr.io/bookingops/zoom-integration-operator:0.1.0 .
# NB: pin the base image by digest in CI (node:24-bookworm-slim@sha256:...) for reproducible builds.
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Type-check, then bundle the program and the packages it imports into build/ (scripts/build.ts:
#    esbuild, ES modules split by entry; the bundle needs no node_modules).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts scripts/build.ts
COPY bin bin
COPY common common
COPY operator operator
COPY service service
COPY charts charts
RUN node scripts/build.ts

# 2. Runtime: node and the bundle (with its package.json: "type": "module"). No node_modules.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="zoom-integration-operator" \
      org.opencontainers.image.description="ZoomIntegration operator and per-tenant Zoom service" \
      org.opencontainers.image.licenses="Apache-2.0"
# Debian's jemalloc as the allocator (see ENV below), then nothing at run time installs packages:
# apt's lists go, and so do npm, npx and corepack.
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
 && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
# jemalloc instead of glibc's malloc, for both programs: glibc keeps the memory that Node frees
# outside its heap (response buffers, TLS, compiler zones) fragmented and resident; jemalloc gives it
# back after a second. One arena and no thread caches: Node allocates mostly on its main thread.
# The operator at 1,000 tenants with the busy-cluster fixture (test/bench/operator-memory.ts, one run
# each): 145 MiB RSS with these settings, 151-152 with 2 arenas and thread caches, 183 with glibc.
# The benchmarks read this line (test/support/image-env.ts); the bare name is found on any arch.
ENV NODE_ENV=production LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=narenas:1,tcache:false,dirty_decay_ms:1000,muzzy_decay_ms:0
WORKDIR /app
COPY --from=build /src/build ./
# Numeric, so the kubelet can verify runAsNonRoot; equals common/tenant/contract.ts RUN_AS_ID.
USER 10001:10001
EXPOSE 8080 8081
# --optimize-for-size: V8's "optimizations which favor memory size over execution speed". The
# operator at 1,000 tenants (test/bench/operator-memory.ts, one run each):
# 116 MiB RSS with it, 147 without; NODE_OPTIONS refuses this flag, so it is here. The benchmarks
# read it (test/support/image-env.ts).
ENTRYPOINT ["node", "--optimize-for-size", "/app/bin/zoom-integration.js"]
CMD ["--help"]
