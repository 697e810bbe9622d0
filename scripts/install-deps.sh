#!/usr/bin/env bash
# Installs the Debian 12 packages Pacto needs. Does nothing when they are all
# installed already, so it is cheap to run before every build.
#   scripts/install-deps.sh            build, test, lint and bench (the default)
#   scripts/install-deps.sh --build    only what `cmake --build` needs (Dockerfile build stage)
#   scripts/install-deps.sh --runtime  only what `pacto serve` needs (Dockerfile runtime stage)
set -euo pipefail

# libcurl (OpenSSL flavour): the server mails comment confirmations by SMTP
# with it, and the integration tests are its HTTP client.
build=(build-essential cmake pkg-config libcivetweb-dev libcjson-dev libjwt-dev libargon2-dev
  libssl-dev libpq-dev check libsubunit-dev libcurl4-openssl-dev)
runtime=(libcivetweb1 libcjson1 libjwt0 libargon2-1 libssl3 libpq5 libcurl4 ca-certificates curl)

case "${1:-}" in
  "")
    # pgbouncer and nginx: the local cluster of scripts/cluster.sh.
    pkgs=("${build[@]}" postgresql-15 postgresql-client-15 curl ca-certificates wrk shellcheck jq
      pgbouncer nginx)
    # scripts/lint.sh runs npx. Debian's npm pulls in hundreds of packages, so
    # it is installed only on a machine that has no Node.js of its own.
    command -v npx >/dev/null || pkgs+=(nodejs npm)
    ;;
  --build) pkgs=("${build[@]}") ;;
  --runtime) pkgs=("${runtime[@]}") ;;
  *) echo "usage: $0 [--build|--runtime]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == *" ok installed" ]] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo for: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
