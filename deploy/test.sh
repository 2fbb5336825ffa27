#!/usr/bin/env bash
# The deployment, tested for real: a Docker engine (started, or installed from Debian's packages,
# when none runs), the images (deploy/build.sh: local base images when no registry answers), the
# compose platform on 127.0.0.1, the smoke subset through the gateway (test/deploy), one part
# killed and seen restarted, then everything this script started is removed again.
#
# Exit 0 with "SKIP: <reason>" where no Docker engine can run (not root, no dockerd); 1 on failure.
# Prints the image size and the time from `compose up` to every container healthy.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
PROJECT=portico-deploytest
T0=$(date +%s)
secs() { echo $(($(date +%s) - $1)); }

ensure_docker_engine || { echo "SKIP deploy/test.sh: $NO_DOCKER_REASON"; exit 0; }
COMPOSE=$(compose_cmd) || {
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) || true
  COMPOSE=$(compose_cmd) || { echo "SKIP deploy/test.sh: no docker compose and docker-compose could not be installed"; exit 0; }
}
[ -x node_modules/.bin/vitest ] || npm ci --no-audit --no-fund

WORK=$(mktemp -d)
ENV_FILE=$WORK/.env
dc() { $COMPOSE --env-file "$ENV_FILE" -p "$PROJECT" -f deploy/compose.yaml "$@"; }
cleanup() {
  local rc=$?
  if [ -f "$ENV_FILE" ]; then
    if [ $rc != 0 ]; then dc ps 2>/dev/null || true; dc logs --tail=30 2>/dev/null | tail -150 || true; fi
    dc down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  if [ -n "${STARTED_DOCKERD:-}" ]; then kill "$STARTED_DOCKERD" 2>/dev/null && wait "$STARTED_DOCKERD" 2>/dev/null || true; fi
  echo "deploy/test.sh: $([ $rc = 0 ] && echo passed || echo FAILED) in $(secs "$T0") s"
}
trap cleanup EXIT

echo "--- images"
T=$(date +%s)
deploy/build.sh >"$WORK/build.log" 2>&1 || { tail -60 "$WORK/build.log"; exit 1; }
BUILD_S=$(secs "$T")
VERSION=$(node -p 'require("./package.json").version')
SIZE_MB=$(($(docker image inspect -f '{{.Size}}' "portico:$VERSION") / 1000000))
echo "portico:$VERSION is $SIZE_MB MB; images built in $BUILD_S s"

echo "--- compose up"
ENV_FILE=$ENV_FILE deploy/gen-env.sh >/dev/null
PORT=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
sed -i "s/^PORTICO_PORT=.*/PORTICO_PORT=$PORT/" "$ENV_FILE"
dc down -v --remove-orphans -t 5 >/dev/null 2>&1 || true # leftovers of an interrupted run
T=$(date +%s)
dc up -d --quiet-pull 2>/dev/null || dc up -d
containers() { docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"; }
all_healthy() {
  local c s n=0
  for c in $(containers); do
    s=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$c")
    [ "$s" = healthy ] || return 1
    n=$((n + 1))
  done
  [ "$n" -eq 13 ]
}
until all_healthy; do
  if [ "$(secs "$T")" -gt 300 ]; then echo "not healthy after 300 s" >&2; exit 1; fi
  sleep 1
done
UP_S=$(secs "$T")
echo "13 containers healthy $UP_S s after compose up"
GATEWAY=http://127.0.0.1:$PORT
# Published on loopback only.
docker port "$(dc ps -q gateway)" 8000 | grep -qx "127.0.0.1:$PORT" || { echo "gateway not bound to 127.0.0.1" >&2; exit 1; }

echo "--- smoke subset through the gateway"
set -a && . "$ENV_FILE" && set +a
PORTICO_DEPLOY_URL=$GATEWAY PORTICO_DEPLOY_ADMIN_EMAIL=$PORTICO_ADMIN_EMAIL \
  PORTICO_DEPLOY_ADMIN_PASSWORD=$PORTICO_ADMIN_PASSWORD npx vitest run test/deploy

echo "--- memory after the smoke run (the Kubernetes requests and limits come from these)"
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $(containers) | sed "s/^${PROJECT}_//" | sort

echo "--- a part killed is restarted"
ORDERS=$(dc ps -q orders)
TINI=$(docker inspect -f '{{.State.Pid}}' "$ORDERS")
NODE_PID=$(cat "/proc/$TINI/task/$TINI/children")
kill -KILL $NODE_PID # the part's process dies as in a crash; tini exits with it
T=$(date +%s)
until [ "$(docker inspect -f '{{.RestartCount}} {{.State.Health.Status}}' "$ORDERS")" = "1 healthy" ]; do
  if [ "$(secs "$T")" -gt 120 ]; then echo "orders not restarted and healthy within 120 s" >&2; exit 1; fi
  sleep 1
done
echo "orders restarted and healthy again after $(secs "$T") s"
curl -fsS "$GATEWAY/health" | grep -q '"orders"' || { echo "gateway health does not list orders" >&2; exit 1; }
login=$(printf '{"email":"%s","password":"%s"}' "$PORTICO_ADMIN_EMAIL" "$PORTICO_ADMIN_PASSWORD")
TOKEN=$(curl -fsS -H 'content-type: application/json' -d "$login" "$GATEWAY/api/v1/auth/login" |
  node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')
products=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $TOKEN" "$GATEWAY/api/v1/products")
[ "$products" = 200 ] || { echo "GET /api/v1/products through the gateway after the restart: $products" >&2; exit 1; }

echo "image $SIZE_MB MB; build $BUILD_S s; compose up to healthy $UP_S s"
