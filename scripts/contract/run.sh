#!/usr/bin/env bash
# Checks that the committed OpenAPI document (openapi/scaidns.json) is a contract a strict client
# can trust: schemathesis (pinned, in a virtual environment) runs every check and every phase
# (coverage, fuzzing, stateful) with deterministic generation against the embedded dev server
# with the ScaiKey stand-in as its OpenID Connect provider (tests/src/bin/contract_server.rs).
# Any failure fails the run.
#
# Usage: scripts/contract/run.sh [extra schemathesis args]
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
# Cases per operation: with 74 operations and all phases this is over 2,000 cases.
MAX_EXAMPLES="${SCAIDNS_CONTRACT_EXAMPLES:-25}"

log() { printf '==> %s\n' "$*" >&2; }

target="${CARGO_TARGET_DIR:-target}"
venv="$target/schemathesis-venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --all-features -p scaidns-tests --bin contract_server
work=$(mktemp -d)
mkfifo "$work/stdin"
"$target/debug/contract_server" < "$work/stdin" > "$work/info.json" 2> "$work/server.log" &
server=$!
# The server runs while this end of its standard input is open.
exec 3> "$work/stdin"
cleanup() { exec 3>&-; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  [ -s "$work/info.json" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; log "contract server died"; exit 1; }
  sleep 0.5
done
[ -s "$work/info.json" ] || { log "contract server did not start"; exit 1; }
field() { python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]) if sys.argv[2]=='protected' else json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/info.json" "$1"; }
base_url=$(field base_url)
api_key=$(field api_key)
export SCAIDNS_PROTECTED_IDS
SCAIDNS_PROTECTED_IDS=$(field protected)
export SCHEMATHESIS_HOOKS=hooks
export PYTHONPATH="$PWD/scripts/contract${PYTHONPATH:+:$PYTHONPATH}"

log "schemathesis $SCHEMATHESIS_VERSION against $base_url"
started=$(date +%s)
set +e
"$venv/bin/schemathesis" run openapi/scaidns.json \
  --url "$base_url" \
  --header "X-API-Key: $api_key" \
  --checks all \
  --generation-deterministic \
  --max-examples "$MAX_EXAMPLES" \
  --workers 1 \
  --no-color \
  "$@" 2>&1 | tee "$work/run.log"
status=${PIPESTATUS[0]}
set -e
cases=$(grep -oE '[0-9]+ generated' "$work/run.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
log "schemathesis: $cases cases in $(( $(date +%s) - started ))s, exit $status"
if [ "$status" -eq 0 ] && [ "${cases:-0}" -lt 2000 ]; then
  log "fewer than 2000 cases: raise SCAIDNS_CONTRACT_EXAMPLES"; exit 1
fi
exit "$status"
