#!/usr/bin/env bash
# Lints what is not C: the OpenAPI document, the shell scripts, the Dockerfile
# and the compose file. Tools come from npm, at pinned versions, through npx.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob

redocly=@redocly/cli@2.77.0
dockerfile_utils=dockerfile-utils@0.16.3
dclint=dclint@3.1.0
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

status=0
run() {
  echo "--- $*"
  "$@" || status=1
}

run npx --yes "$redocly" lint api/openapi.yaml
run shellcheck scripts/*.sh .ci/run bench/*.sh test/cluster/*.sh deploy/*.sh
if command -v hadolint >/dev/null; then
  run hadolint Dockerfile
else
  run npx --yes "$dockerfile_utils" lint Dockerfile
fi
if docker compose version >/dev/null 2>&1; then
  PACTO_JWT_SECRET=lint run docker compose -f docker-compose.yml config -q
fi
run npx --yes "$dclint" --max-warnings 0 docker-compose.yml

if [ "$status" -eq 0 ]; then echo "lint: ok"; else echo "lint: FAILED"; fi
exit "$status"
