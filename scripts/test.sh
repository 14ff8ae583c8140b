#!/usr/bin/env bash
# Runs the whole ScaiDNS test suite against real services: PowerDNS 4.7 (started per test by the
# test support), MariaDB, PostgreSQL, SQLite and Redis. Installs what is missing from Debian's
# packages when run as root, and starts MariaDB, PostgreSQL and Redis when they are not running
# (no systemd needed).
#
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export CARGO_INCREMENTAL=0
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

packages=(pdns-server pdns-backend-sqlite3 pdns-backend-mysql mariadb-server mariadb-client
          postgresql postgresql-client redis-server bind9-dnsutils sqlite3 openssl python3 python3-venv
          g++ wrk curl jq bind9-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The generic OpenID Connect provider of the identity tests runs on node (tests/oidc-provider);
# a node installed another way than Debian's package is used as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: ${missing[*]} (run as root, or install them)"; exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start services through init scripts; that may fail without an init
  # system, which is fine: this script starts what the tests need itself.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" || \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# A packaged pdns_server must not hold port 53 or the API port while tests run their own.
pkill -x pdns_server 2>/dev/null || true

mariadb_up() { mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1 || mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; }
if ! mariadb_up; then
  log "starting MariaDB"
  install -d -o mysql -g mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do mariadb_up && break; sleep 1; done
  mariadb_up || { log "MariaDB did not start"; exit 1; }
fi
# A dedicated account that works over TCP whatever root's authentication plugin is.
if [ -z "${SCAIDNS_TEST_MYSQL_URL:-}" ]; then
  if mysql --protocol=socket -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    mysql --protocol=socket -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'scaidns_test'@'127.0.0.1' IDENTIFIED BY 'scaidns_test';
CREATE USER IF NOT EXISTS 'scaidns_test'@'localhost' IDENTIFIED BY 'scaidns_test';
GRANT ALL PRIVILEGES ON *.* TO 'scaidns_test'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'scaidns_test'@'localhost';
FLUSH PRIVILEGES;
SQL
    export SCAIDNS_TEST_MYSQL_URL="mysql://scaidns_test:scaidns_test@127.0.0.1:3306"
  else
    export SCAIDNS_TEST_MYSQL_URL="mysql://root@127.0.0.1:3306"
  fi
fi

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! postgres_up; then
  log "starting PostgreSQL"
  pg_version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  # The package normally creates the cluster; create it when an earlier install did not.
  pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main " || pg_createcluster "$pg_version" main >/dev/null
  pg_ctlcluster "$pg_version" main start
  for _ in $(seq 1 60); do postgres_up && break; sleep 1; done
  postgres_up || { log "PostgreSQL did not start"; exit 1; }
fi
# A dedicated role that may create (and drop) the per-test databases, with a password so that
# it works over TCP whatever pg_hba.conf asks for.
if [ -z "${SCAIDNS_TEST_POSTGRES_URL:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && su postgres -c "psql -qAtc 'SELECT 1'" >/dev/null 2>&1; then
    su postgres -c "psql -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'scaidns_test') THEN
    CREATE ROLE scaidns_test LOGIN CREATEDB PASSWORD 'scaidns_test';
  END IF;
END $$;
SQL
    export SCAIDNS_TEST_POSTGRES_URL="postgres://scaidns_test:scaidns_test@127.0.0.1:5432/postgres"
  else
    export SCAIDNS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
  fi
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  install -d /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/scaidns-test.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
export SCAIDNS_TEST_REDIS_URL="${SCAIDNS_TEST_REDIS_URL:-redis://127.0.0.1:6379}"

# The provider's packages, installed exactly as locked; again only when the lock file changed.
# The pinned oidc-provider needs the node major named in package.json's "engines" (">=N").
oidc_dir=tests/oidc-provider
node_min=$(sed -n 's/.*"node": *">= *\([0-9][0-9]*\).*/\1/p' "$oidc_dir/package.json")
node_have=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
if [ -z "$node_min" ] || [ "$node_have" -lt "$node_min" ]; then
  log "node $(node --version) is too old for the test OpenID Connect provider ($oidc_dir, oidc-provider $(sed -n 's/.*"oidc-provider": *"\([^"]*\)".*/\1/p' "$oidc_dir/package.json")): it needs node >= ${node_min:-? (no engines.node in $oidc_dir/package.json)}"
  exit 1
fi
oidc_stamp="$oidc_dir/node_modules/.scaidns-lock-sha256"
oidc_lock_sum=$(sha256sum "$oidc_dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$oidc_stamp" 2>/dev/null)" != "$oidc_lock_sum" ]; then
  log "installing the test OpenID Connect provider (npm ci in $oidc_dir)"
  (cd "$oidc_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$oidc_lock_sum" > "$oidc_stamp"
fi

log "checking that the pure core depends on no I/O crate"
io_crates=$(cargo tree -p scaidns-core --no-default-features -e normal --prefix none \
  | sed 's/ v.*//' | grep -xE 'poem|poem-openapi|sqlx|reqwest|redis|hickory-resolver|hickory-server|tokio|jsonwebtoken' || true)
if [ -n "$io_crates" ]; then
  log "scaidns-core --no-default-features pulls in: $io_crates"; exit 1
fi
# The validation example embeds the pure core: it builds without any adapter feature.
cargo check -p scaidns-core --no-default-features --example validate_records --quiet

# Fuzz smoke run: each target from its committed corpus for FUZZ_SECONDS (0 skips); a crash
# fails the script. cargo-fuzz on the stable toolchain through RUSTC_BOOTSTRAP (fuzz/README.md).
fuzz_seconds="${FUZZ_SECONDS:-30}"
if [ "$fuzz_seconds" -gt 0 ]; then
  cargo_fuzz_version=0.13.2
  if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
    log "installing cargo-fuzz $cargo_fuzz_version"
    cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --quiet
  fi
  fuzz_out=$(mktemp -d)
  (
    cd fuzz
    export RUSTC_BOOTSTRAP=1
    log "building the fuzz targets"
    cargo fuzz build -s none -O
    for target in $(cargo fuzz list); do
      log "fuzzing $target for ${fuzz_seconds}s"
      mkdir -p "$fuzz_out/$target"
      # New inputs go to a scratch directory; the committed corpus is only read.
      if ! cargo fuzz run -s none -O "$target" "$fuzz_out/$target" "corpus/$target" -- \
          -max_total_time="$fuzz_seconds" -print_final_stats=1 >"$fuzz_out/$target.log" 2>&1; then
        tail -n 150 "$fuzz_out/$target.log"
        log "fuzz target $target crashed (input saved under fuzz/artifacts/$target)"; exit 1
      fi
      grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$fuzz_out/$target.log" || true
    done
  )
  rm -rf "$fuzz_out"
fi

log "checking formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings
# The SDK's and the core's documentation build without warnings, `missing_docs` included.
RUSTDOCFLAGS="-D warnings" cargo doc -p scaidns-client --no-deps --quiet
RUSTDOCFLAGS="-D warnings" cargo doc -p scaidns-core --all-features --no-deps --quiet
log "checking the public API of scaidns-core and scaidns-client against public-api/"
scripts/public-api.sh

scripts/pdns-compat/install-clients.sh >/dev/null  # octoDNS, python-powerdns for tests/tests/api/pdns_compat
log "running the test suite"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
set +e
cargo test --workspace --all-features "$@" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e

# The benchmark (scripts/bench.sh) in its smoke mode: a few seconds on the debug build, failing
# only when the tool itself breaks, never on slow figures.
log "checking that the benchmark still runs (scripts/bench.sh --smoke)"
bench=0
scripts/bench.sh --smoke || bench=$?
if [ "$bench" -ne 0 ]; then
  log "the benchmark smoke run failed"
  [ "$status" -ne 0 ] || status=$bench
fi

log "checking the OpenAPI contract against the server (schemathesis)"
contract=0
scripts/contract/run.sh || contract=$?
if [ "$contract" -ne 0 ]; then
  log "the API contract run failed"
  [ "$status" -ne 0 ] || status=$contract
fi
# The deployment and operator guides as written (scripts/docs_test.sh): a step that no longer
# works fails the run like a test.
log "walking docs/deployment.md and docs/operations.md (scripts/docs_test.sh)"
docs=0
scripts/docs_test.sh || docs=$?
if [ "$docs" -ne 0 ]; then
  log "the documented deployment steps failed"
  [ "$status" -ne 0 ] || status=$docs
fi
# cargo prints one result line per test binary, the last often a doc-test run with no tests:
# close with the totals so the outcome is read from the whole run.
# The contract run counts as one more test.
awk -v contract="$contract" \
  '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { if (contract == 0) p += 1; else f += 1; printf "tests: %d passed, %d failed\n", p, f }' "$results"
exit "$status"
