#!/usr/bin/env bash
# The scale-out checks (make cluster-test), against the local cluster of
# scripts/cluster.sh, which is started first when it is not running and
# stopped again at the end in that case:
#   ryw        1,000 write-then-read pairs spread over the three servers, the
#              replica delayed by recovery_min_apply_delay: every read that
#              presents the write's Pacto-Consistency sees the write (and,
#              so that the check can fail, reads without it do not always)
#   replica    a public read never fails while the replica is stopped
#   primary    while the primary is stopped: writes get 503 with Retry-After,
#              public reads still 200, /readyz says degraded
#   idempotent a retry on another server replays the first answer; three at
#              once on three servers create one resource
#   throttle   failed logins and failed activations spread over the servers
#              are counted together (429 once past the limit)
#   public     one address's public questions spread over the servers count
#              against one hourly limit (429 once past it, on any server)
#   eviction   a change through one server is seen by every server's cache
# Ends with "cluster-test: N passed, N failed"; exit 1 when any failed.
#   test/cluster/run.sh [BUILD_DIR] [CHECK...]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$root/scripts/cluster.sh
build=${1:-$root/build}
shift || true
only=("$@")

started_here=0
if ! "$cluster" status >/dev/null; then
  started_here=1
  "$cluster" up "$build" >/dev/null
fi
eval "$("$cluster" env)"
read -r -a servers <<<"$PACTO_CLUSTER_SERVERS_URLS"
nginx=$PACTO_CLUSTER_URL
tmp=$(mktemp -d /tmp/pacto-cluster-test.XXXXXX)

finish() {
  local rc=$?
  # Whatever failed: the replica undelayed, both databases running.
  "$cluster" psql replica -c "ALTER SYSTEM RESET recovery_min_apply_delay" -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
  "$cluster" pg start primary >/dev/null 2>&1 || true
  "$cluster" pg start replica >/dev/null 2>&1 || true
  if [ "$started_here" = 1 ]; then "$cluster" down >/dev/null || true; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT

passed=0
failed=()
fail() { echo "  FAIL: $*"; return 1; }
server() { echo "${servers[$(($1 % ${#servers[@]}))]}"; }
# Every server, then nginx in front of them.
server_or_nginx() { if (($1 % 4 == 3)); then echo "$nginx"; else server "$1"; fi; }
sql() { "$cluster" psql primary -d pacto -tA -c "$1"; }

# login URL EMAIL: an access token of a demo account.
login() {
  curl -fsS --json "{\"email\":\"$2\",\"password\":\"pacto-demo-2026\"}" "$1/v1/auth/token" | jq -r .access_token
}

# status_of CURL_ARGS...: the HTTP status of one request.
status_of() { curl -sS -o /dev/null -w '%{http_code}' --max-time 15 "$@"; }

# header NAME FILE: a header's value in a curl -D dump.
header() { sed -n "s/^$1: *//Ip" "$2" | tr -d '\r' | tail -n 1; }

# wait_for SECONDS COMMAND...: retries the command every 0.2 s until it succeeds.
wait_for() {
  local until=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 0.2
  done
}

replica_reads() {
  local total=0 n s
  for s in "${servers[@]}"; do
    n=$(curl -fsS "$s/metrics" | sed -n 's/^pacto_public_reads_total{target="replica"} //p')
    total=$((total + n))
  done
  echo "$total"
}

token=$(login "${servers[0]}" coordenacao@demo.pacto)
auth=(-H "Authorization: Bearer $token")

# indicator_body CODE: a new indicator's JSON.
indicator_body() {
  echo "{\"code\":\"$1\",\"name\":\"Cluster\",\"area\":\"health\",\"unit\":\"%\",\"periodicity\":\"annual\",\"source\":\"cluster-test\",\"polarity\":\"higher_is_better\"}"
}

# new_indicator URL: creates an indicator and prints its id.
new_indicator() {
  curl -fsS "${auth[@]}" "$1/v1/indicators" --json "$(indicator_body "C$RANDOM$RANDOM")" | jq -r .id
}

check_ryw() {
  local id pairs=1000 delay_ms=400 i w r c name stale=0 before after
  id=$(new_indicator "${servers[0]}")
  "$cluster" psql replica -c "ALTER SYSTEM SET recovery_min_apply_delay = '${delay_ms}ms'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  before=$(replica_reads)
  for ((i = 0; i < pairs; i++)); do
    w=$(server "$i")
    r=$(server $((i + 1)))
    curl -fsS -D "$tmp/h" -o /dev/null -X PATCH "${auth[@]}" -H 'Content-Type: application/merge-patch+json' \
      -d "{\"name\":\"ryw $i\"}" "$w/v1/indicators/$id" || { fail "PATCH $i on $w"; return 1; }
    c=$(header Pacto-Consistency "$tmp/h")
    [[ $c =~ ^[0-9A-F]+/[0-9A-F]+$ ]] || { fail "write $i answered Pacto-Consistency '$c'"; return 1; }
    name=$(curl -fsS -H "Pacto-Consistency: $c" "$r/v1/indicators/$id" | jq -r .name)
    [ "$name" = "ryw $i" ] || { fail "pair $i: read on $r after the write on $w saw '$name'"; return 1; }
    # Every tenth pair, the same read without the header: it may be older.
    if ((i % 10 == 0)); then
      name=$(curl -fsS "$(server $((i + 2)))/v1/indicators/$id" | jq -r .name)
      [ "$name" = "ryw $i" ] || stale=$((stale + 1))
    fi
  done
  after=$(replica_reads)
  "$cluster" psql replica -c "ALTER SYSTEM RESET recovery_min_apply_delay" -c "SELECT pg_reload_conf()" >/dev/null
  echo "  $pairs pairs read their write; $stale of $((pairs / 10)) reads without Pacto-Consistency were older; $((after - before)) reads served by the replica"
  # The delay must have shown (else this check proves nothing), and the replica served reads.
  [ "$stale" -gt 0 ] || { fail "no read without Pacto-Consistency was ever stale: is the replica delayed?"; return 1; }
  [ $((after - before)) -gt 0 ] || fail "the replica served no read"
}

# public_reads_ok SECONDS: public reads over every server for SECONDS; each must be 200.
public_reads_ok() {
  local until=$((SECONDS + $1)) i=0 st bad=0 id=$2
  local paths=("/v1/indicators/$id" "/v1/indicators?limit=5" "/v1/municipalities?state=MS&limit=5"
    "/v1/municipalities/5002704" "/v1/cycles")
  while [ "$SECONDS" -lt "$until" ]; do
    st=$(status_of "$(server_or_nginx "$i")${paths[$((i % ${#paths[@]}))]}")
    if [ "$st" != 200 ]; then
      echo "  read $i: $(server_or_nginx "$i")${paths[$((i % ${#paths[@]}))]} answered $st"
      bad=$((bad + 1))
    fi
    i=$((i + 1))
  done
  echo "  $i public reads, $bad not 200"
  [ "$bad" -eq 0 ]
}

replica_up_everywhere() {
  local s
  for s in "${servers[@]}"; do curl -fsS "$s/metrics" | grep -qx 'pacto_replica_up 1' || return 1; done
}

check_replica() {
  local id pid rc=0
  id=$(new_indicator "${servers[0]}")
  public_reads_ok 6 "$id" >"$tmp/reads.log" &
  pid=$!
  sleep 1.5
  "$cluster" pg stop replica
  wait "$pid" || rc=1
  cat "$tmp/reads.log"
  curl -fsS "${servers[1]}/readyz" | grep -q '"replica":"down"' || { fail "/readyz does not say the replica is down"; rc=1; }
  "$cluster" pg start replica
  wait_for 15 replica_up_everywhere || { fail "the servers did not see the replica come back"; rc=1; }
  [ "$rc" -eq 0 ] || fail "a public read failed while the replica was stopped"
}

write_refused() {
  local url=$1 id=$2 st
  st=$(curl -sS -D "$tmp/w" -o "$tmp/wb" -w '%{http_code}' --max-time 20 -X PATCH "${auth[@]}" \
    -H 'Content-Type: application/merge-patch+json' -d '{"name":"while down"}' "$url/v1/indicators/$id")
  [ "$st" = 503 ] || { fail "a write on $url answered $st while the primary was stopped"; return 1; }
  [ -n "$(header Retry-After "$tmp/w")" ] || { fail "the 503 on $url has no Retry-After"; return 1; }
}

write_ok() {
  [ "$(status_of -X PATCH "${auth[@]}" -H 'Content-Type: application/merge-patch+json' \
    -d '{"name":"back"}' "$1/v1/indicators/$2")" = 200 ]
}
read_ok() { [ "$(status_of "$1")" = 200 ]; }

check_primary() {
  local id rc=0 s
  id=$(new_indicator "${servers[0]}")
  # The replica must have the indicator before the primary goes.
  wait_for 10 read_ok "${servers[1]}/v1/indicators/$id"
  "$cluster" pg stop primary
  for s in "${servers[@]}"; do write_refused "$s" "$id" || rc=1; done
  public_reads_ok 3 "$id" || { fail "a public read failed while the primary was stopped"; rc=1; }
  curl -fsS "${servers[2]}/readyz" | grep -q '"status":"degraded"' || { fail "/readyz does not say degraded"; rc=1; }
  "$cluster" pg start primary
  local t0=$SECONDS
  wait_for 20 write_ok "${servers[0]}" "$id" || { fail "writes did not resume"; rc=1; }
  echo "  writes refused with 503 and Retry-After on every server, reads served; writes back $((SECONDS - t0)) s after the primary started"
  return "$rc"
}

check_idempotent() {
  local key body a b c code n pids=()
  key=$(cat /proc/sys/kernel/random/uuid)
  code="I$RANDOM$RANDOM"
  body=$(indicator_body "$code")
  a=$(curl -fsS "${auth[@]}" -H "Idempotency-Key: $key" --json "$body" "${servers[0]}/v1/indicators" | jq -r .id)
  curl -fsS -D "$tmp/r" -o "$tmp/rb" "${auth[@]}" -H "Idempotency-Key: $key" --json "$body" "${servers[1]}/v1/indicators"
  b=$(jq -r .id "$tmp/rb")
  if [ "$a" != "$b" ] || [ "$(header Idempotent-Replayed "$tmp/r")" != true ]; then
    fail "the retry on another server answered id $b (first $a), replayed '$(header Idempotent-Replayed "$tmp/r")'"
    return 1
  fi
  n=$(sql "SELECT count(*) FROM indicators WHERE code = '$code'")
  [ "$n" = 1 ] || { fail "$n indicators with code $code"; return 1; }
  # Three at once, one per server, with a new key.
  key=$(cat /proc/sys/kernel/random/uuid)
  code="J$RANDOM$RANDOM"
  body=$(indicator_body "$code")
  for c in 0 1 2; do
    curl -sS -o "$tmp/c$c" -w '%{http_code}\n' "${auth[@]}" -H "Idempotency-Key: $key" --json "$body" \
      "$(server "$c")/v1/indicators" >"$tmp/s$c" &
    pids+=($!)
  done
  wait "${pids[@]}"
  n=$(sql "SELECT count(*) FROM indicators WHERE code = '$code'")
  echo "  a retry on another server replayed the first answer; 3 at once on 3 servers: statuses $(cat "$tmp"/s0 "$tmp"/s1 "$tmp"/s2 | tr '\n' ' ')made $n indicator"
  [ "$n" = 1 ] || { fail "three concurrent creates with one key made $n indicators"; return 1; }
  if [ "$(jq -r .id "$tmp/c0")" != "$(jq -r .id "$tmp/c1")" ] || [ "$(jq -r .id "$tmp/c1")" != "$(jq -r .id "$tmp/c2")" ]; then
    fail "the three answers name different indicators"
  fi
}

check_throttle() {
  local i st addr="198.51.100.$((RANDOM % 200 + 1))"
  sql "DELETE FROM login_throttle" >/dev/null
  # Five wrong passwords for one account, from five addresses, over the servers.
  for i in 0 1 2 3 4; do
    st=$(status_of -H "X-Forwarded-For: 203.0.113.$((i + 1))" \
      --json '{"email":"educacao@demo.pacto","password":"wrong-password-1"}' "$(server "$i")/v1/auth/token")
    [ "$st" = 401 ] || { fail "failure $i answered $st"; return 1; }
  done
  for i in 0 1 2; do
    st=$(status_of -H "X-Forwarded-For: 203.0.113.9" \
      --json '{"email":"educacao@demo.pacto","password":"pacto-demo-2026"}' "$(server "$i")/v1/auth/token")
    [ "$st" = 429 ] || { fail "the right password on server $i after 5 failures elsewhere answered $st"; return 1; }
  done
  # Failed activations from one address, over the servers: 20, then 429.
  for i in $(seq 0 19); do
    st=$(status_of -H "X-Forwarded-For: $addr" --json '{"token":"not-an-invitation-token","password":"a-long-password-2026"}' \
      "$(server "$i")/v1/auth/activate")
    [ "$st" = 422 ] || { fail "activation failure $i answered $st"; return 1; }
  done
  st=$(status_of -H "X-Forwarded-For: $addr" --json '{"token":"not-an-invitation-token","password":"a-long-password-2026"}' \
    "$(server 20)/v1/auth/activate")
  sql "DELETE FROM login_throttle" >/dev/null
  echo "  5 failed logins over 3 servers lock the account on all; 20 failed activations lock the address"
  [ "$st" = 429 ] || fail "the 21st failed activation answered $st"
}

# A cycle for the public questions to be about: the cluster's demo data has
# accounts and municipalities but no program.
question_cycle() {
  local id
  id=$(sql "SELECT min(id) FROM cycles")
  if [ -z "$id" ]; then
    id=$(curl -fsS "${auth[@]}" "${servers[0]}/v1/cycles" --json "{\"name\":\"Ciclo do teste\",
      \"state\":\"MS\",\"adhesion_opens_at\":\"$(date -u -d '-1 hour' +%FT%TZ)\",
      \"adhesion_closes_at\":\"$(date -u -d '+7 days' +%FT%TZ)\",
      \"pact_opens_at\":\"$(date -u -d '+30 days' +%FT%TZ)\",
      \"pact_closes_at\":\"$(date -u -d '+60 days' +%FT%TZ)\",\"target_year\":2028}" | jq .id)
  fi
  echo "$id"
}

check_public() {
  local i st cycle limit=20 addr="192.0.2.$((RANDOM % 200 + 1))"
  cycle=$(question_cycle)
  sql "DELETE FROM public_writes WHERE client_hash = client_hash('$addr')" >/dev/null
  for i in $(seq 0 $((limit - 1))); do
    st=$(status_of -H "X-Forwarded-For: $addr" --json "{\"subject_type\":\"cycle\",
      \"subject_id\":$cycle,\"asker_name\":\"Ana\",\"text\":\"Pergunta $i de $RANDOM\"}" \
      "$(server "$i")/v1/questions")
    [ "$st" = 201 ] || { fail "question $i answered $st"; return 1; }
  done
  for i in 0 1 2; do
    st=$(status_of -H "X-Forwarded-For: $addr" --json "{\"subject_type\":\"cycle\",
      \"subject_id\":$cycle,\"asker_name\":\"Ana\",\"text\":\"Mais uma $i\"}" \
      "$(server "$i")/v1/questions")
    [ "$st" = 429 ] || { fail "question $((limit + i + 1)) on server $i answered $st"; return 1; }
  done
  sql "DELETE FROM public_writes WHERE client_hash = client_hash('$addr')" >/dev/null
  echo "  $limit questions from one address over 3 servers, then 429 on each of them"
}

latitude_on() { curl -fsS "$1/v1/municipalities/5002704" | jq -r .latitude; }

all_see() {
  local s
  for s in "${servers[@]}"; do [ "$(latitude_on "$s")" = "$1" ] || return 1; done
}

check_eviction() {
  local s lat0 lat1 v
  lat0=$(latitude_on "${servers[0]}")
  for s in "${servers[@]}"; do latitude_on "$s" >/dev/null; done # each server caches it
  # A change that notifies nobody (triggers off): the caches keep the old
  # value, which shows they are in use (else this check proves nothing).
  "$cluster" psql primary -d pacto -c "SET session_replication_role = replica" \
    -c "UPDATE municipalities SET latitude = -20.1 WHERE ibge_code = '5002704'" >/dev/null
  for s in "${servers[@]}"; do
    v=$(latitude_on "$s")
    [ "$v" = "$lat0" ] || { fail "$s answered $v, not its cached $lat0: no cache in use"; return 1; }
  done
  lat1=-20.4$((RANDOM % 900 + 100))
  curl -fsS -o /dev/null -X PATCH "${auth[@]}" -H 'Content-Type: application/merge-patch+json' \
    -d "{\"latitude\":$lat1}" "${servers[0]}/v1/municipalities/5002704"
  wait_for 2 all_see "$lat1" || { fail "not every server shows the change within 2 s"; return 1; }
  echo "  a change through server 1 evicted the cached municipality on all ${#servers[@]} servers"
}

checks=(ryw replica primary idempotent throttle public eviction)
[ ${#only[@]} -eq 0 ] || checks=("${only[@]}")
for name in "${checks[@]}"; do
  echo "--- $name"
  if "check_$name"; then
    passed=$((passed + 1))
  else
    failed+=("$name")
  fi
done
echo "cluster-test: $passed passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[ ${#failed[@]} -eq 0 ]
