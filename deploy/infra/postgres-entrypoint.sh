#!/bin/bash
# First start: initialise PGDATA with the superuser password from POSTGRES_PASSWORD (scram; the
# password goes through a pipe, never a file or the command line). Then PostgreSQL in the
# foreground on every interface of the container, TCP only, so the root filesystem can stay
# read-only (no socket directory) and the data volume is the only thing written.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
  initdb -D "$PGDATA" -U postgres --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories= -c jit=off "$@"
