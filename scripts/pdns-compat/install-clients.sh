#!/usr/bin/env bash
# Installs the PowerDNS API clients that the compatible API's tests drive (octoDNS with its
# PowerDNS provider, python-powerdns), pinned, into a virtual environment under target/, the
# way scripts/contract/run.sh installs schemathesis; reused when the pinned versions are there.
# scripts/test.sh runs it before the suite; the tests run it themselves (once, under a lock)
# when it has not run.
#
# Usage: scripts/pdns-compat/install-clients.sh   (prints the venv's path)
set -euo pipefail
cd "$(dirname "$0")/../.."

OCTODNS_VERSION=1.22.0
OCTODNS_POWERDNS_VERSION=1.2.0
PYTHON_POWERDNS_VERSION=2.1.0

target="${CARGO_TARGET_DIR:-target}"
venv="$target/pdns-clients-venv"
stamp="$venv/.pinned"
want="octodns==$OCTODNS_VERSION octodns-powerdns==$OCTODNS_POWERDNS_VERSION python-powerdns==$PYTHON_POWERDNS_VERSION"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  printf '==> installing %s into %s\n' "$want" "$venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$stamp"
fi
cd "$venv" && pwd
