#!/usr/bin/env bash
# The streaming replica of docker-compose.yml's `cluster` profile (runs as the
# postgres user of the postgres:15 image): on first start, a base backup of
# the primary with -R (standby.signal and primary_conninfo written for it),
# retried until the primary answers; then PostgreSQL as a hot standby.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h db -U pacto -D "$PGDATA" -R -X stream -c fast; do
    echo "replica: the primary is not ready; again in 2 s" >&2
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
