#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for development and tests, reached only over
# a Unix socket (no TCP).
#   scripts/pg.sh start DIR PORT   create on first use, start, wait until ready
#   scripts/pg.sh stop DIR         fast shutdown; no-op when not running
#   scripts/pg.sh status DIR       exit 0 when running, 3 when not
#   scripts/pg.sh url DIR PORT     print the libpq URL of database pacto, role pacto
# Layout: DIR/data (cluster), DIR/run (socket), DIR/postgres.log.
# PACTO_PG_NOSYNC=1 at creation sets fsync=off: for throwaway test clusters only.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# postgres user. When that user cannot reach DIR (say, under /root), or the
# socket path would be too long, the cluster lives in /tmp/pacto-pg-HASH instead.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
usage() { echo "usage: $0 start DIR PORT | stop DIR | status DIR | url DIR PORT" >&2; exit 2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as the cluster's owner, from / so that it never lacks access
# to the caller's working directory.
as_owner() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Sets $dir to where the cluster for the DIR argument really lives.
resolve_dir() {
  dir=$(realpath -m -- "$1")
  local parent
  parent=$(dirname "$dir")
  while [ ! -d "$parent" ]; do parent=$(dirname "$parent"); done
  # 107 bytes is the limit of a socket path; "/run/.s.PGSQL.65535" takes 19.
  if { is_root && ! runuser -u postgres -- test -x "$parent"; } || [ ${#dir} -gt 88 ]; then
    local fallback
    fallback=/tmp/pacto-pg-$(printf %s "$dir" | sha256sum | cut -c1-12)
    echo "pg.sh: note: using $fallback for $dir (unreachable by postgres or path too long)" >&2
    dir=$fallback
  fi
}

check_port() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1024 ] || [ "$1" -gt 65535 ]; then
    echo "pg.sh: bad port: $1" >&2
    exit 2
  fi
}

running() { [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" status -D "$dir/data" >/dev/null; }

psql_admin() {
  as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres "$@"
}

start() {
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    (umask 022 && mkdir -p "$dir")
    if is_root; then chown postgres:postgres "$dir"; fi
    as_owner mkdir -p -m 0700 "$dir/run"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log"
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$dir/run'"
      if [ "${PACTO_PG_NOSYNC:-0}" = 1 ]; then echo "fsync = off"; fi
    } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
  fi
  if ! running; then
    as_owner "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" >/dev/null
  elif [ "$(sed -n 4p "$dir/data/postmaster.pid")" != "$port" ]; then
    echo "pg.sh: $dir runs on port $(sed -n 4p "$dir/data/postmaster.pid"), not $port" >&2
    exit 1
  fi
  if [ "$(psql_admin -tAc "SELECT count(*) FROM pg_roles WHERE rolname = 'pacto'")" = 0 ]; then
    psql_admin -c "CREATE ROLE pacto LOGIN"
  fi
  if [ "$(psql_admin -tAc "SELECT count(*) FROM pg_database WHERE datname = 'pacto'")" = 0 ]; then
    psql_admin -c "CREATE DATABASE pacto OWNER pacto"
  fi
}

cmd=${1:-}
[ $# -ge 2 ] || usage
resolve_dir "$2"
case "$cmd" in
  start) [ $# -eq 3 ] || usage; port=$3; check_port "$port"; start ;;
  stop) [ $# -eq 2 ] || usage; if running; then as_owner "$bin/pg_ctl" stop -w -m fast -D "$dir/data" >/dev/null; fi ;;
  status) [ $# -eq 2 ] || usage; if running; then echo "running ($dir)"; else echo "stopped ($dir)"; exit 3; fi ;;
  url) [ $# -eq 3 ] || usage; check_port "$3"; echo "postgresql://pacto@/pacto?host=$dir/run&port=$3" ;;
  *) usage ;;
esac
