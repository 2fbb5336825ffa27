#!/bin/sh
# Redis with the password from REDIS_PASSWORD (never on the command line: ps shows it) and an
# append-only file under /data, so the gateway's token denylist survives a restart.
set -eu
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
umask 077
conf=/data/redis.conf
printf 'bind 0.0.0.0\nprotected-mode no\nport 6379\ndir /data\nappendonly yes\nrequirepass %s\n' "$REDIS_PASSWORD" >"$conf"
exec redis-server "$conf" "$@"
