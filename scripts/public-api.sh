#!/usr/bin/env bash
# The public API of scaidns-core (all features) and scaidns-client, compared with the committed
# snapshot in public-api/: a change to either crate's public items fails until the snapshot is
# updated on purpose, so an accidental break shows up in review as a diff.
#
# Usage: scripts/public-api.sh           check (exit 1 with the diff)
#        scripts/public-api.sh --update  rewrite the snapshot
#
# The list is read from the HTML `cargo doc` writes (scripts/public_api.py); the stable toolchain
# has no rustdoc JSON. The same flags as scripts/test.sh's doc builds, so after them this only
# reads files. A toolchain upgrade that renders signatures differently shows as a diff too.
set -euo pipefail
cd "$(dirname "$0")/.."

update=false
case "${1:-}" in
  --update) update=true ;;
  "") ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

export CARGO_INCREMENTAL=0
RUSTDOCFLAGS="-D warnings" cargo doc -p scaidns-core --all-features --no-deps --quiet
RUSTDOCFLAGS="-D warnings" cargo doc -p scaidns-client --no-deps --quiet
doc_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/doc"

status=0
for crate in scaidns_core scaidns_client; do
  snapshot="public-api/${crate//_/-}.txt"
  current=$(mktemp)
  python3 scripts/public_api.py "$doc_dir/$crate" >"$current"
  if $update; then
    mv "$current" "$snapshot"
    echo "wrote $snapshot ($(wc -l <"$snapshot") items)"
  elif ! diff -u "$snapshot" "$current" --label "$snapshot (committed)" --label "$crate (now)"; then
    echo "the public API of ${crate//_/-} changed; if that is intended: scripts/public-api.sh --update" >&2
    status=1
    rm -f "$current"
  else
    rm -f "$current"
  fi
done
exit "$status"
