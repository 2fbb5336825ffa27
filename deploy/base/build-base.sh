#!/usr/bin/env bash
# Builds the local base images when no registry can be reached. Every Dockerfile in deploy/ takes
# its base as a build argument, so a build with registry access can use the official images.
#
#   portico-debian:bookworm              Debian bookworm, debootstrap minbase from apt's mirror,
#                                        slimmed like debian:bookworm-slim (PostgreSQL, Redis, NATS)
#   portico-base:<node>-bookworm-build   that plus Node and npm (the dependency stage)
#   portico-base:<node>-bookworm         runtime: only glibc, libstdc++, tini, CA certificates,
#                                        passwd/group and Node (no shell, no package manager)
#
# Node is the `node` npm package's binary (the project's dev dependency), debug info stripped.
# Usage: deploy/base/build-base.sh [--force]   (root, for debootstrap and chroot; idempotent)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCKER=${DOCKER:-docker}
# The one build here needs no BuildKit (and a client without buildx refuses it).
export DOCKER_BUILDKIT=0

NODE_BIN=node_modules/node/bin/node
[ -x "$NODE_BIN" ] || { echo "no $NODE_BIN: run npm ci first" >&2; exit 1; }
NODE_VERSION=$("$NODE_BIN" -p process.versions.node)
DEBIAN=portico-debian:bookworm
TAG=portico-base:${NODE_VERSION}-bookworm
if [ "${1:-}" != --force ] && $DOCKER image inspect "$DEBIAN" "$TAG" "$TAG-build" >/dev/null 2>&1; then
  echo "base images exist: $DEBIAN $TAG $TAG-build"
  exit 0
fi

# The mirror apt is configured with (deb822 or one-line sources), else Debian's CDN.
MIRROR=${DEBIAN_MIRROR:-$( (grep -hsoE '(URIs:|^deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list || true) |
  awk '{print $2}' | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

WORK=$(mktemp -d /var/tmp/portico-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
echo "debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=tini,ca-certificates bookworm "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
cat >"$ROOT/etc/apt/sources.list" <<LIST
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
LIST

# Slim it the way debian:bookworm-slim is: no docs, man pages, locales, apt lists or caches.
rm -rf "$ROOT"/usr/share/{doc,man,info,locale,lintian,linda}/* "$ROOT"/var/lib/apt/lists/* \
  "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/log/*.log
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/doc/*/copyright
CFG
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$ROOT/etc/apt/apt.conf.d/docker-no-recommends"
ENVS=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change 'LABEL org.opencontainers.image.base.name=debian:bookworm')
tar -C "$ROOT" -c . | $DOCKER import "${ENVS[@]}" --change 'CMD ["bash"]' - "$DEBIAN" >/dev/null

# The runtime tree: the files of the few packages Node and tini need, nothing else.
RT=$WORK/runtime
mkdir -p "$RT"/{etc,tmp,usr/local/bin,usr/bin,usr/lib,usr/lib64,usr/sbin} && chmod 1777 "$RT/tmp"
# usrmerge: /bin, /lib, /lib64 and /sbin are links into /usr; copy them first.
for l in bin lib lib64 sbin; do if [ -L "$ROOT/$l" ]; then cp -a "$ROOT/$l" "$RT/$l"; fi; done
for pkg in base-files libc6 libgcc-s1 libstdc++6 tini; do
  chroot "$ROOT" dpkg -L "$pkg" | while read -r f; do
    if [ -f "$ROOT$f" ] || [ -L "$ROOT$f" ]; then mkdir -p "$RT$(dirname "$f")" && cp -a "$ROOT$f" "$RT$f"; fi
  done
done
rm -rf "$RT"/usr/share/{doc,man,info,locale,lintian,gdb} "$RT"/usr/lib/x86_64-linux-gnu/gconv
mkdir -p "$RT/etc/ssl/certs" && cp "$ROOT/etc/ssl/certs/ca-certificates.crt" "$RT/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nportico:x:10001:10001:portico:/nonexistent:/usr/sbin/nologin\n' >"$RT/etc/passwd"
printf 'root:x:0:\nportico:x:10001:\n' >"$RT/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$RT/etc/nsswitch.conf"
install -m 0755 "$NODE_BIN" "$RT/usr/local/bin/node"
strip --strip-debug "$RT/usr/local/bin/node"
chroot "$RT" /usr/local/bin/node -e 'require("node:crypto").randomBytes(1)'
tar -C "$RT" -c . | $DOCKER import "${ENVS[@]}" --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'CMD ["node"]' - "$TAG" >/dev/null

# The build variant: Debian plus the same Node and this machine's npm (installs the project).
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$WORK/build" && cp -a "$NPM_DIR" "$WORK/build/npm" && cp "$RT/usr/local/bin/node" "$WORK/build/node"
cat >"$WORK/build/Dockerfile" <<DF
FROM $DEBIAN
ENV NODE_VERSION=$NODE_VERSION
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && npm --version
DF
$DOCKER build -q -t "$TAG-build" "$WORK/build" >/dev/null 2>&1 || $DOCKER build -t "$TAG-build" "$WORK/build"
$DOCKER image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^portico-(base|debian):'
