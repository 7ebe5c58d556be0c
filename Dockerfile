# Slipway's image: the controller (`slipway server`, the default command) and the
# staging Jobs' init container (`slipway unpack --blob KEY --to DIR`) run it.
# Build: docker build -t ghcr.io/slipway-dev/slipway:0.1.0 .   (see docs/helm.md)
# BASE_IMAGE swaps the base for an equivalent one (a mirror, a pinned digest, or the
# local stand-in test/image/image.test.ts builds with .ci/image-base.sh): it needs
# Debian with glibc, sh, useradd, Node 24 and npm on PATH, and a group with gid 1000.
#
# Node 24 runs the TypeScript sources directly (type stripping): no build step, the
# image holds the sources as they are in git plus the production dependencies.

ARG BASE_IMAGE=node:24-slim

FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (none of them needs one).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="slipway" \
      org.opencontainers.image.description="git-push-to-deploy for Kubernetes" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"

# uid 1001, gid 1000: the staging Job's init container unpacks sources into a volume
# the buildpacks lifecycle then builds in as the paketo builders' cnb user (1001:1000);
# sharing the group is what lets the build write there. gid 1000 is the base image's
# `node` group.
RUN useradd --uid 1001 --gid 1000 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin slipway

ENV NODE_ENV=production \
    # One malloc arena: ~80 MB less memory while streaming uploads (docs/configuration.md).
    MALLOC_ARENA_MAX=1 \
    # Large blocks get their own mapping, returned when freed (docs/configuration.md).
    MALLOC_MMAP_THRESHOLD_=131072 \
    # A container's loopback is reached by nobody else: `docker run -p 8080:8080` needs every interface.
    SLIPWAY_HOST=0.0.0.0 \
    SLIPWAY_DATA_DIR=/var/lib/slipway

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Only what runs: no tests, docs, benchmarks or chart (see .dockerignore too).
COPY package.json ./
COPY core ./core
COPY cli ./cli
COPY controller ./controller
COPY webhooks ./webhooks
# The data folder (generated admin password, users, scratch files) belongs to the
# runtime user; in Kubernetes the chart mounts an emptyDir here and at /tmp, since
# the root file system is read-only.
RUN mkdir -p /var/lib/slipway && chown 1001:1000 /var/lib/slipway

USER 1001:1000
EXPOSE 8080
# Same V8 flag as the `slipway` executable's #! line (cli/bin.ts): a small young generation.
# `slipway server` adds --optimize-for-size (cli/server-flags.ts) by replacing itself at
# start; other commands (the staging Job's `slipway unpack`) run with V8's defaults.
ENTRYPOINT ["node", "--max-semi-space-size=1", "/app/cli/bin.ts"]
CMD ["server"]
