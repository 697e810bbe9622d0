#!/usr/bin/env bash
# Run once by the postgres:15 image when it creates the primary's data
# (docker-entrypoint-initdb.d): lets the replica of the `cluster` profile
# stream from it over the compose network, and gives the servers' role the
# statement timeout they cannot send through pgbouncer in transaction mode.
set -euo pipefail
echo "host replication pacto all scram-sha-256" >>"$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "ALTER ROLE $POSTGRES_USER SET statement_timeout = '5s'"
