# syntax=docker/dockerfile:1.7
# Patholabel's five images, one recipe; each image is a target:
#
#   docker build --target auth       -t patholabel/auth:0.1.0 .
#   docker build --target tiler      -t patholabel/tiler:0.1.0 .
#   docker build --target annotation -t patholabel/annotation:0.1.0 .
#   docker build --target export     -t patholabel/export:0.1.0 .
#   docker build --target web        -t patholabel/web:0.1.0 .
#
# `make images` (scripts/images.sh) builds all five. Base images are pinned by
# exact tag; `make images PIN=1` resolves them to digests where a registry is
# reachable. Every Go binary is built in one stage: the five share the
# platform module and most dependencies, so they compile once for all five
# images, and a build for one image serves the other four from the cache.

# --- Go binaries: auth, annotation, tiler, export, gateway -> /out ---------
FROM golang:1.26.8-bookworm AS build
# A module proxy inside the air gap, if any (see docs/operations/air-gapped.md).
ARG GOPROXY=https://proxy.golang.org,direct
ARG GOSUMDB=sum.golang.org
# cgo binding to libvips for the tiler and export; OpenSlide comes in
# through libvips' slide loader.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvips-dev libopenslide-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Modules first, so a source change does not download them again. Each
# service builds as its own module (GOWORK=off): the platform module is
# reached through the service's replace line, as an operator's build would.
COPY services/platform/go.mod services/platform/go.sum services/platform/
COPY services/auth/go.mod services/auth/go.sum services/auth/
COPY services/annotation/go.mod services/annotation/go.sum services/annotation/
COPY services/tiler/go.mod services/tiler/go.sum services/tiler/
COPY services/export/go.mod services/export/go.sum services/export/
COPY services/gateway/go.mod services/gateway/go.sum services/gateway/
# The module and build caches persist between builds (a one-line change
# rebuilds in seconds); scripts/images.sh points GOPROXY at the host's.
RUN --mount=type=cache,target=/go/pkg/mod \
    for s in auth annotation tiler export gateway; do \
      (cd services/$s && GOWORK=off go mod download) || exit 1; \
    done
COPY services services
# The build's version, recorded in every export's manifest (scripts/images.sh
# passes `git describe`; the build context has no .git to read it from).
ARG VERSION=unversioned
# Only the tiler and export call libvips; the others are static binaries.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    for s in auth:0 annotation:0 gateway:0 tiler:1 export:1; do \
      name=${s%:*}; \
      (cd services/$name && GOWORK=off CGO_ENABLED=${s#*:} go build -trimpath \
        -ldflags="-s -w -X github.com/patholabel/patholabel/services/platform/version.Version=${VERSION}" \
        -o /out/$name ./cmd/$name) || exit 1; \
    done

# --- the viewer -> /src/web/dist ---------------------------------------------
FROM node:20.19.5-bookworm-slim AS viewer
# An npm registry mirror inside the air gap, if any.
ARG npm_config_registry=https://registry.npmjs.org/
# npm's cache persists between builds (scripts/images.sh points it at the
# host's), so only changed packages are fetched.
ARG npm_config_cache=/root/.npm
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --prefer-offline
COPY web/ ./
RUN npm run build

# --- runtimes ---------------------------------------------------------------
# The same Debian release as the build stage, so the runtime libraries are
# the ones the binaries were linked against. Every image runs as uid 65532
# on a read-only root filesystem (the chart mounts /tmp).
FROM debian:12.12-slim AS runtime
# ca-certificates: TLS to external MySQL, Redis, S3 and the OIDC issuer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
USER 65532:65532
ENV PATHOLABEL_LISTEN=:8080
EXPOSE 8080

FROM runtime AS runtime-vips
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvips42 libopenslide0 \
 && rm -rf /var/lib/apt/lists/*
USER 65532:65532
# libvips decodes large images to a temporary file rather than memory.
ENV VIPS_DISC_THRESHOLD=100m \
    TMPDIR=/tmp

# --- the five images ----------------------------------------------------------
# patholabel/auth: users, projects, sessions, tokens, audit; owns the schema.
# `/app/auth migrate` applies the schema and exits (the chart's hook Job).
FROM runtime AS auth
COPY --from=build /out/auth /app/auth
ENTRYPOINT ["/app/auth"]

# patholabel/annotation: shapes, labels and comments on slides.
FROM runtime AS annotation
COPY --from=build /out/annotation /app/annotation
ENTRYPOINT ["/app/annotation"]

# patholabel/tiler: slide uploads, pyramid conversion (libvips + OpenSlide), tiles.
FROM runtime-vips AS tiler
COPY --from=build /out/tiler /app/tiler
ENTRYPOINT ["/app/tiler"]

# patholabel/export: background exports of annotations and tile crops.
FROM runtime-vips AS export
COPY --from=build /out/export /app/export
ENTRYPOINT ["/app/export"]

# patholabel/web: the built viewer served by the gateway binary (SPA
# fallback; in the cluster the Ingress routes the API, so no upstreams).
FROM runtime AS web
COPY --from=build /out/gateway /app/gateway
COPY --from=viewer /src/web/dist /app/web
ENV PATHOLABEL_WEB_DIR=/app/web
ENTRYPOINT ["/app/gateway"]
