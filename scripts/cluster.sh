#!/usr/bin/env bash
# A scaled-out Pacto on one machine, from Debian 12's own packages, all on
# loopback (README "Several servers", docs/SCALING.md):
#
#   nginx :56080 ──► pacto serve :56081 :56082 :56083 (stateless, PACTO_DB_POOLER=transaction)
#                      │ writes, accounts      │ anonymous public reads   │ LISTEN
#                      ▼                       ▼                          ▼
#                 pgbouncer :56439 ──► PostgreSQL primary :56432 ◄── (direct)
#                 (transaction mode)         │ streaming replication
#                                            ▼
#                                   PostgreSQL replica :56433 (pg_basebackup -R)
#
#   scripts/cluster.sh up [BUILD_DIR]   starts whatever is not running (idempotent); builds
#                                       and installs packages first when needed
#   scripts/cluster.sh down             stops everything, also what a failed `up` left
#   scripts/cluster.sh status           one line per part; exit 0 when all run, 3 when not
#   scripts/cluster.sh env              the variables a client needs (URLs, JWT secret)
#   scripts/cluster.sh pg start|stop|restart primary|replica   one PostgreSQL (tests)
#   scripts/cluster.sh psql primary|replica [PSQL ARGS...]     as the superuser
#
# Everything lives under var/cluster/ (PACTO_CLUSTER_DIR): data, logs, pid files,
# the generated configuration. PostgreSQL and pgbouncer refuse to run as root: as
# root they run as the postgres user. PACTO_CLUSTER_BASE (default 56000) moves
# every port; PACTO_CLUSTER_SERVERS (default 3) is the number of servers.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${PACTO_CLUSTER_DIR:-$root/var/cluster}
base=${PACTO_CLUSTER_BASE:-56000}
nservers=${PACTO_CLUSTER_SERVERS:-3}
pgbin=/usr/lib/postgresql/15/bin
primary_port=$((base + 432))
replica_port=$((base + 433))
bouncer_port=$((base + 439))
nginx_port=$((base + 80))
server_port() { echo $((base + 80 + $1)); }

usage() {
  sed -n '/^#   scripts/p' "$0" | sed 's/^#   //' >&2
  exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }
# Runs a command as the owner of the databases, from / (it may not reach the caller's cwd).
as_owner() { if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
say() { echo "cluster: $*"; }

pg_dir() { echo "$dir/$1"; }
pg_port() { if [ "$1" = primary ]; then echo "$primary_port"; else echo "$replica_port"; fi; }
pg_running() { [ -f "$(pg_dir "$1")/data/PG_VERSION" ] && as_owner "$pgbin/pg_ctl" status -D "$(pg_dir "$1")/data" >/dev/null 2>&1; }
psql_admin() {
  local node=$1
  shift
  as_owner "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$node")" -U postgres -d postgres "$@"
}

# URLs: the servers write through pgbouncer and read the replica directly (a
# pooler holds a query while its server is down instead of failing it, and a
# read must fail over to the primary at once); the listener is direct.
url_bouncer="postgresql://pacto@127.0.0.1:$bouncer_port/pacto"
url_primary="postgresql://pacto@127.0.0.1:$primary_port/pacto"
url_replica="postgresql://pacto@127.0.0.1:$replica_port/pacto"

# pid_alive FILE: the process FILE names runs (FILE may vanish meanwhile: nginx removes its own).
pid_alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# need_port PORT WHAT: fails, naming it, when something else listens on PORT.
need_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    say "port $1 ($2) is taken by another program; move every port with PACTO_CLUSTER_BASE"
    return 1
  fi
}

# --- PostgreSQL -------------------------------------------------------------

pg_start() {
  local node=$1 d
  d=$(pg_dir "$node")
  if pg_running "$node"; then return 0; fi
  need_port "$(pg_port "$node")" "PostgreSQL $node"
  as_owner mkdir -p -m 0700 "$d/run"
  as_owner "$pgbin/pg_ctl" start -w -t 60 -D "$d/data" -l "$d/postgres.log" \
    -o "-p $(pg_port "$node") -k $d/run" >/dev/null
}

pg_stop() {
  local node=$1
  if pg_running "$node"; then as_owner "$pgbin/pg_ctl" stop -w -m fast -D "$(pg_dir "$node")/data" >/dev/null; fi
}

primary_up() {
  local d
  d=$(pg_dir primary)
  if [ ! -f "$d/data/PG_VERSION" ]; then
    say "creating the primary in $d"
    (umask 022 && mkdir -p "$d")
    if is_root; then chown postgres:postgres "$d"; fi
    as_owner "$pgbin/initdb" -D "$d/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$d/initdb.log"
    # Loopback only, trust: a local cluster. Replication needs its own hba line.
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "max_connections = 200"
      echo "wal_level = replica"
      echo "max_wal_senders = 4"
      echo "wal_keep_size = '256MB'"
      echo "hot_standby = on"
      echo "hot_standby_feedback = on"
      echo "shared_buffers = '256MB'"
    } | as_owner tee -a "$d/data/postgresql.conf" >/dev/null
    echo "host replication postgres 127.0.0.1/32 trust" | as_owner tee -a "$d/data/pg_hba.conf" >/dev/null
  fi
  pg_start primary
  if [ "$(psql_admin primary -tAc "SELECT count(*) FROM pg_roles WHERE rolname = 'pacto'")" = 0 ]; then
    # Through a transaction pooler the servers send no startup options: the
    # statement timeout is the role's (PACTO_STATEMENT_TIMEOUT_MS's default).
    psql_admin primary -c "CREATE ROLE pacto LOGIN" -c "ALTER ROLE pacto SET statement_timeout = '5s'"
  fi
  if [ "$(psql_admin primary -tAc "SELECT count(*) FROM pg_database WHERE datname = 'pacto'")" = 0 ]; then
    psql_admin primary -c "CREATE DATABASE pacto OWNER pacto"
  fi
  # Migrations take a session lock: directly, never through the pooler.
  PACTO_DATABASE_URL=$url_primary "$build/pacto" migrate >/dev/null
  if [ "$(psql_admin primary -d pacto -tAc "SELECT count(*) FROM municipalities")" = 0 ]; then
    say "loading the IBGE lists and the demo accounts"
    PACTO_DATABASE_URL=$url_primary "$root/scripts/demo-data.sh" "$build/pacto" >"$dir/demo-data.log"
  fi
}

replica_up() {
  local d
  d=$(pg_dir replica)
  if [ ! -f "$d/data/PG_VERSION" ]; then
    say "making the replica with pg_basebackup -R"
    (umask 022 && mkdir -p "$d")
    if is_root; then chown postgres:postgres "$d"; fi
    as_owner "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$d/data" \
      -R -X stream -c fast
  fi
  pg_start replica
}

# --- pgbouncer ----------------------------------------------------------------

bouncer_up() {
  local d=$dir/pgbouncer
  if pid_alive "$d/pgbouncer.pid"; then return 0; fi
  need_port "$bouncer_port" pgbouncer
  (umask 022 && mkdir -p "$d")
  if is_root; then chown postgres:postgres "$d"; fi
  # query_wait_timeout: while the primary is down a query waits this long for
  # a server connection, then fails (the server answers 503), instead of
  # waiting for the request's whole deadline.
  as_owner tee "$d/pgbouncer.ini" >/dev/null <<INI
[databases]
pacto = host=127.0.0.1 port=$primary_port dbname=pacto

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
# Kept open by pgbouncer itself: after the primary restarts, these are what
# retry the connection (every server_login_retry) and lift the refusal of
# new clients ("server login has been failing") as soon as it is back.
min_pool_size = 2
# 1.18 refuses new clients while its last server login failed (as while the
# primary shuts down), until a new client makes it try again: 0 tries at once.
server_login_retry = 0
query_wait_timeout = 3
ignore_startup_parameters = extra_float_digits
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
admin_users = postgres
INI
  echo '"pacto" ""' | as_owner tee "$d/userlist.txt" >/dev/null
  as_owner pgbouncer -d -q "$d/pgbouncer.ini"
  for _ in $(seq 50); do pid_alive "$d/pgbouncer.pid" && return 0; sleep 0.1; done
  say "pgbouncer did not start; see $d/pgbouncer.log"
  return 1
}

# --- the servers ---------------------------------------------------------------

server_up() {
  local i=$1 port d=$dir/servers
  port=$(server_port "$i")
  mkdir -p "$d"
  if pid_alive "$d/server-$i.pid"; then return 0; fi
  need_port "$port" "server $i"
  (
    export PACTO_DATABASE_URL=$url_bouncer PACTO_DATABASE_READ_URL=$url_replica
    export PACTO_DATABASE_LISTEN_URL=$url_primary PACTO_DB_POOLER=transaction
    export PACTO_LISTEN=127.0.0.1:$port PACTO_PUBLIC_URL=http://127.0.0.1:$nginx_port
    export PACTO_TRUSTED_PROXIES=127.0.0.1 PACTO_JWT_SECRET
    PACTO_JWT_SECRET=$(cat "$dir/jwt-secret")
    export PACTO_LOG_LEVEL=${PACTO_LOG_LEVEL:-warn}
    export PACTO_REPLICA_MAX_LAG_MS=${PACTO_REPLICA_MAX_LAG_MS:-5000}
    exec setsid "$build/pacto" serve >>"$d/server-$i.log" 2>&1 </dev/null
  ) &
  echo $! >"$d/server-$i.pid"
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
    pid_alive "$d/server-$i.pid" || break
    sleep 0.1
  done
  say "server $i did not start; the end of $d/server-$i.log:"
  tail -n 5 "$d/server-$i.log" >&2
  return 1
}

server_down() {
  local pidfile=$dir/servers/server-$1.pid
  if pid_alive "$pidfile"; then
    kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 150); do pid_alive "$pidfile" || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

# --- nginx -----------------------------------------------------------------------

# deploy/nginx.conf with this cluster's upstream list, port and files.
nginx_conf() {
  local upstream="" i
  for i in $(seq "$nservers"); do
    upstream+="        server 127.0.0.1:$(server_port "$i") max_conns=48 max_fails=1 fail_timeout=10s;\n"
  done
  sed -e "s|^pid .*|pid $dir/nginx/nginx.pid;|" \
    -e "s|^error_log .*|error_log $dir/nginx/error.log warn;|" \
    -e "s|access_log /dev/stdout|access_log $dir/nginx/access.log|" \
    -e "s|listen 80;|listen 127.0.0.1:$nginx_port;|" \
    -e "/^        server pacto[0-9]*:8080/d" \
    -e "s|^    upstream pacto {|    upstream pacto {\n$upstream|" \
    "$root/deploy/nginx.conf"
}

nginx_up() {
  local d=$dir/nginx
  mkdir -p "$d/tmp"
  nginx_conf >"$d/nginx.conf"
  if pid_alive "$d/nginx.pid"; then
    nginx -q -p "$d/" -c "$d/nginx.conf" -s reload
    return 0
  fi
  need_port "$nginx_port" nginx
  nginx -q -p "$d/" -c "$d/nginx.conf" -g "daemon on;"
  for _ in $(seq 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  say "nginx did not start; see $d/error.log"
  return 1
}

nginx_down() {
  local d=$dir/nginx
  if pid_alive "$d/nginx.pid"; then
    kill -QUIT "$(cat "$d/nginx.pid")"
    for _ in $(seq 50); do pid_alive "$d/nginx.pid" || break; sleep 0.1; done
  fi
}

# --- commands ----------------------------------------------------------------------

up() {
  build=$(realpath -m "${1:-$root/build}")
  "$root/scripts/install-deps.sh"
  if [ ! -x "$build/pacto" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j2 >/dev/null
  fi
  (umask 022 && mkdir -p "$dir")
  if is_root; then chmod 0755 "$dir"; fi
  if [ ! -s "$dir/jwt-secret" ]; then
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$dir/jwt-secret")
  fi
  primary_up
  replica_up
  bouncer_up
  local i
  for i in $(seq "$nservers"); do server_up "$i"; done
  nginx_up
  say "up: nginx on http://127.0.0.1:$nginx_port in front of $nservers servers"
  status
}

down() {
  nginx_down
  local f
  for f in "$dir"/servers/server-*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/server-}
    server_down "${f%.pid}"
  done
  if pid_alive "$dir/pgbouncer/pgbouncer.pid"; then
    kill -INT "$(cat "$dir/pgbouncer/pgbouncer.pid")"
    for _ in $(seq 50); do pid_alive "$dir/pgbouncer/pgbouncer.pid" || break; sleep 0.1; done
  fi
  pg_stop replica
  pg_stop primary
  say "down"
}

status() {
  local all=0 i
  line() { printf '  %-9s %-8s %s\n' "$1" "$2" "$3"; [ "$2" = running ] || all=3; }
  if pg_running primary; then line primary running "127.0.0.1:$primary_port"; else line primary stopped ""; fi
  if pg_running replica; then
    local lag
    lag=$(psql_admin replica -tAc "SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::int, 0)" 2>/dev/null || echo '?')
    line replica running "127.0.0.1:$replica_port (last replayed commit ${lag} s ago)"
  else
    line replica stopped ""
  fi
  if pid_alive "$dir/pgbouncer/pgbouncer.pid"; then line pgbouncer running "127.0.0.1:$bouncer_port"; else line pgbouncer stopped ""; fi
  for i in $(seq "$nservers"); do
    if pid_alive "$dir/servers/server-$i.pid"; then
      line "server $i" running "http://127.0.0.1:$(server_port "$i")"
    else
      line "server $i" stopped ""
    fi
  done
  if pid_alive "$dir/nginx/nginx.pid"; then line nginx running "http://127.0.0.1:$nginx_port"; else line nginx stopped ""; fi
  return "$all"
}

env_out() {
  echo "PACTO_CLUSTER_URL=http://127.0.0.1:$nginx_port"
  local i servers=""
  for i in $(seq "$nservers"); do servers+="${servers:+ }http://127.0.0.1:$(server_port "$i")"; done
  echo "PACTO_CLUSTER_SERVERS_URLS='$servers'"
  echo "PACTO_CLUSTER_PRIMARY_URL=$url_primary"
  echo "PACTO_CLUSTER_REPLICA_URL=$url_replica"
  echo "PACTO_JWT_SECRET=$(cat "$dir/jwt-secret" 2>/dev/null)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) [ $# -eq 1 ] || usage; down ;;
  status) [ $# -eq 1 ] || usage; status ;;
  env) [ $# -eq 1 ] || usage; env_out ;;
  pg)
    [ $# -eq 3 ] || usage
    case "$3" in primary | replica) ;; *) usage ;; esac
    case "$2" in
      start) pg_start "$3" ;;
      stop) pg_stop "$3" ;;
      restart) pg_stop "$3"; pg_start "$3" ;;
      *) usage ;;
    esac
    ;;
  psql)
    [ $# -ge 2 ] || usage
    node=$2
    case "$node" in primary | replica) ;; *) usage ;; esac
    shift 2
    psql_admin "$node" "$@"
    ;;
  *) usage ;;
esac
