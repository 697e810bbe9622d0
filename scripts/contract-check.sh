#!/usr/bin/env bash
# The contract test stage: checks every response the integration suite
# received against api/openapi.yaml — status declared for the operation,
# content type declared, body valid against the schema, promised headers
# present (see scripts/contract/check.mjs for the rules).
#
#   scripts/contract-check.sh RECORD_FILE
#
# RECORD_FILE is written by the integration tests' HTTP client
# (test/support/record.c) when PACTO_TEST_RECORD names it; the client appends,
# so start from an empty file:
#
#   rm -f /tmp/contract-record.jsonl
#   PACTO_TEST_RECORD=/tmp/contract-record.jsonl scripts/test.sh build
#   scripts/contract-check.sh /tmp/contract-record.jsonl
#
# As a stage of scripts/test.sh: export PACTO_TEST_RECORD=$tmp/record.jsonl
# before the integration stage, then `stage contract scripts/contract-check.sh
# "$tmp/record.jsonl"`.
#
# The validator's npm packages are pinned in scripts/contract/package-lock.json
# and installed with `npm ci` into scripts/contract/node_modules (git-ignored),
# again only when the lock file changes. Exit status: 0 when every response
# matches, 1 on a mismatch, 2 when the check cannot run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/scripts/contract
record=${1:?usage: scripts/contract-check.sh RECORD_FILE}

if [ ! -s "$record" ]; then
  echo "contract-check: $record is missing or empty; run the integration suite with PACTO_TEST_RECORD=$record" >&2
  exit 2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "contract-check: needs Node.js 20 or later, with npm" >&2
  exit 2
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "contract-check: needs Node.js 20 or later, not $(node --version)" >&2
  exit 2
fi

stamp=$dir/node_modules/.installed-lock
if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
  export NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false
  if ! npm ci --prefix "$dir" --silent --no-audit --no-fund >/dev/null; then
    echo "contract-check: npm ci --prefix $dir failed" >&2
    exit 2
  fi
  cp "$dir/package-lock.json" "$stamp"
fi

exec node "$dir/check.mjs" --spec "$root/api/openapi.yaml" "$record"
