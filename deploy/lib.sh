# Shared by deploy/build.sh and deploy/test.sh (sourced): which Docker client builds with BuildKit,
# which compose runs, and starting a Docker engine from Debian's packages when none answers.

# A Docker engine: the running one, else dockerd started here (installed from Debian if absent).
# Sets STARTED_DOCKERD to the PID of a daemon this script started. Returns 1 with a reason.
ensure_docker_engine() {
  STARTED_DOCKERD=
  if docker info >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ]; then NO_DOCKER_REASON="no Docker engine answers and this user cannot start one"; return 1; fi
  if ! command -v dockerd >/dev/null; then
    echo "installing Docker from Debian's packages (docker.io, docker-compose)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null) ||
      { NO_DOCKER_REASON="docker.io could not be installed"; return 1; }
  fi
  if docker info >/dev/null 2>&1; then return 0; fi
  dockerd >/var/log/portico-dockerd.log 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then return 0; fi
    kill -0 "$STARTED_DOCKERD" 2>/dev/null || break
    sleep 0.5
  done
  NO_DOCKER_REASON="dockerd did not start: $(tail -3 /var/log/portico-dockerd.log | tr '\n' ' ')"
  kill "$STARTED_DOCKERD" 2>/dev/null || true
  STARTED_DOCKERD=
  return 1
}

# A client whose `build` is BuildKit (RUN --mount, --secret): docker with buildx, else Debian's
# docker 20.10 client (BuildKit built in), else none.
build_client() {
  if docker buildx version >/dev/null 2>&1; then echo docker; return; fi
  local c
  for c in /usr/bin/docker docker; do
    if command -v "$c" >/dev/null && DOCKER_BUILDKIT=1 "$c" build --help 2>/dev/null | grep -q -- '--secret'; then
      echo "$c"
      return
    fi
  done
  return 1
}

# `docker compose` (v2) or `docker-compose` (v1, Debian's).
compose_cmd() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"; return; fi
  if command -v docker-compose >/dev/null; then echo docker-compose; return; fi
  return 1
}
