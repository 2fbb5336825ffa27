#!/usr/bin/env bash
# Builds the images compose and Kubernetes run: portico:<version> (every part) and the
# PostgreSQL, Redis and NATS images. Bases: the official images when a registry answers (or is
# cached), else the local ones of deploy/base/build-base.sh (debootstrap + Node, built once).
#   deploy/build.sh                 PORTICO_BASE=auto|official|local (default auto)
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
export DOCKER_BUILDKIT=1
VERSION=$(node -p 'require("./package.json").version')
NODE_VERSION=$(sed -n 's/^ARG NODE_VERSION=//p' deploy/Dockerfile)
BUILD=$(build_client) || { echo "no Docker client that builds with BuildKit (install docker-buildx or docker.io)" >&2; exit 1; }

have_or_pull() { docker image inspect "$1" >/dev/null 2>&1 || timeout 120 docker pull -q "$1" >/dev/null 2>&1; }
mode=${PORTICO_BASE:-auto}
if [ "$mode" = auto ]; then
  if have_or_pull "node:$NODE_VERSION-bookworm-slim" && have_or_pull debian:bookworm-slim; then mode=official; else mode=local; fi
fi
if [ "$mode" = official ]; then
  BASE=node:$NODE_VERSION-bookworm-slim BUILDER=$BASE DEBIAN=debian:bookworm-slim
else
  DOCKER=$BUILD deploy/base/build-base.sh
  BASE=portico-base:$NODE_VERSION-bookworm BUILDER=$BASE-build DEBIAN=portico-debian:bookworm
fi
echo "bases: $BASE / $BUILDER / $DEBIAN"

# npm and apt reach their registries from the host's network; a CA bundle for a TLS-inspecting
# proxy goes in as a build secret, never into a layer.
args=(--network host --build-arg "BASE_IMAGE=$BASE" --build-arg "BUILD_IMAGE=$BUILDER")
[ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] && args+=(--secret "id=ca,src=$NODE_EXTRA_CA_CERTS")
$BUILD build "${args[@]}" --build-arg "VERSION=$VERSION" \
  --build-arg "REVISION=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -f deploy/Dockerfile -t "portico:$VERSION" .
for t in postgres:15 redis:7 nats:2.10; do
  $BUILD build -q --network host --build-arg "DEBIAN_IMAGE=$DEBIAN" --target "${t%%:*}" \
    -t "portico-${t%%:*}:${t#*:}-bookworm" deploy/infra >/dev/null
done
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^portico(-postgres|-redis|-nats)?:"
