#!/usr/bin/env bash
# The ScaiDNS benchmark of issue 12: ScaiDNS beside PowerDNS's own HTTP API, on this machine,
# in one run. For each store it starts a throwaway PowerDNS 4.7 (sqlite backend, API on a free
# loopback port) and `scaidns serve` publishing to it (rate limits lifted), bootstraps a
# platform admin, and lets the load tool (tests/src/bin/bench_load) build a tenant, a 100-record
# zone and N zones through the API and measure. Prints one Markdown table, a column per store.
# Issue 9's figures come first: a 10,000-record zone file imported through the API beside
# PowerDNS's own single PATCH of the same 10,000 RRsets, their ratio, the server's peak RSS,
# the export of that zone and the bulk endpoint creating the same records.
#
# Usage: scripts/bench.sh [--smoke] [--store auto|sqlite|mysql|postgres|both|all] [--zones N]
#                         [--duration SECONDS] [--loader wrk|builtin] [--keep]
#                         [--only import|all] [--import-records N] [--relaxed-commit]
#   --smoke     the debug binaries when present (no release build), tiny sizes, SQLite unless
#               --store says otherwise: checks that the tool still works (CI). Fails only when
#               a request fails unexpectedly, never on slow figures.
#   --store     auto (default): MariaDB when reachable, SQLite otherwise; both: MariaDB and
#               SQLite; all: MariaDB, SQLite and PostgreSQL; one column each.
#   --zones     zones of the zone-list tenant (default 10000; 20 in smoke mode).
#   --duration  seconds of each throughput run (default 10; 2 in smoke mode).
#   --loader    what measures throughput: wrk (default, when installed) or the tool's own loop.
#   --keep      keep the scratch directory (logs, databases, JSON results).
#   --only      import: only issue 9's import, peak-memory, export and bulk figures (about a
#               minute); all (default): every figure.
#   --import-records  records of the import, export and bulk figures (default 10000; 50 in
#               smoke mode).
#   --relaxed-commit  commits that do not wait for the disk: MariaDB's
#               innodb_flush_log_at_trx_commit=2 (a global setting, put back when the run ends)
#               and PostgreSQL's synchronous_commit=off (on the run's database only). Shows what
#               the servers' durable commit costs; the default is each server's own setting.
# MariaDB: SCAIDNS_BENCH_MYSQL_URL (default mysql://scaidns_test:scaidns_test@127.0.0.1:3306);
# PostgreSQL: SCAIDNS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432, a role
# that may create databases); in either a database scaidns_bench_<pid> is created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command_line="scripts/bench.sh $*"

log() { printf '==> %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

smoke=0; loader=wrk; store=""; zones=""; duration=""; keep=0; only=all; import_records=""
relaxed=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --store) store="$2"; shift ;;
    --zones) zones="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --loader) loader="$2"; shift ;;
    --keep) keep=1 ;;
    --only) only="$2"; shift ;;
    --import-records) import_records="$2"; shift ;;
    --relaxed-commit) relaxed=1 ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
# Smoke mode is SQLite unless a store is asked for (to try the MariaDB path quickly).
[ -z "$store" ] && { if [ "$smoke" -eq 1 ]; then store=sqlite; else store=auto; fi; }
case "$store" in auto|sqlite|mysql|postgres|both|all) ;; *) die "--store auto|sqlite|mysql|postgres|both|all" ;; esac
case "$only" in import|all) ;; *) die "--only import|all" ;; esac

[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
target="${CARGO_TARGET_DIR:-$root/target}"
command -v pdns_server >/dev/null || [ -x /usr/sbin/pdns_server ] || die "pdns_server is not installed"
pdns_bin=$(command -v pdns_server || echo /usr/sbin/pdns_server)
schema=""
for candidate in /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql \
                 /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql; do
  [ -f "$candidate" ] && { schema=$candidate; break; }
done
[ -n "$schema" ] || die "no PowerDNS sqlite schema (install pdns-backend-sqlite3)"

if [ "$smoke" -eq 1 ]; then
  # The debug binaries `cargo test --workspace` just built (scripts/test.sh runs this after
  # it); built here only when missing, or the load tool when its sources are newer.
  profile=debug
  if [ ! -x "$target/debug/scaidns" ]; then
    log "building scaidns (debug)"; cargo build --quiet -p scaidns-cli --bin scaidns
  fi
  if [ ! -x "$target/debug/bench_load" ] || \
     [ -n "$(find tests/src/bin/bench_load -newer "$target/debug/bench_load" -print -quit)" ]; then
    log "building the load tool (debug)"; cargo build --quiet -p scaidns-tests --bin bench_load
  fi
else
  profile=release
  # One cargo run for both binaries, so the crates they share are built once.
  log "building scaidns and the load tool (release)"
  cargo build --quiet --release -p scaidns-cli -p scaidns-tests --bin scaidns --bin bench_load
fi
scaidns="$target/$profile/scaidns"
load="$target/$profile/bench_load"

mysql_url="${SCAIDNS_BENCH_MYSQL_URL:-mysql://scaidns_test:scaidns_test@127.0.0.1:3306}"
# mysql://user[:pass]@host[:port][/db] → arguments of the mysql client.
mysql_args=()
if [[ "$mysql_url" =~ ^(mysql|mariadb)://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?/?$ ]]; then
  mysql_args=(-u"${BASH_REMATCH[2]}" -h"${BASH_REMATCH[5]}" -P"${BASH_REMATCH[7]:-3306}" --protocol=tcp)
  [ -n "${BASH_REMATCH[4]}" ] && mysql_args+=(-p"${BASH_REMATCH[4]}")
fi
mysql_reachable() {
  [ ${#mysql_args[@]} -gt 0 ] && command -v mysql >/dev/null && mysql "${mysql_args[@]}" -e 'SELECT 1' >/dev/null 2>&1
}
postgres_url="${SCAIDNS_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
postgres_url="${postgres_url%/}"
postgres_reachable() {
  command -v psql >/dev/null && psql "$postgres_url/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1
}
case "$store" in
  auto) if mysql_reachable; then stores=(mysql); else stores=(sqlite); fi ;;
  both) stores=(mysql sqlite) ;;
  all) stores=(mysql sqlite postgres) ;;
  *) stores=("$store") ;;
esac
if [[ " ${stores[*]} " == *" mysql "* ]] && ! mysql_reachable; then
  die "MariaDB is not reachable at $mysql_url (set SCAIDNS_BENCH_MYSQL_URL)"
fi
if [[ " ${stores[*]} " == *" postgres "* ]] && ! postgres_reachable; then
  die "PostgreSQL is not reachable at $postgres_url (set SCAIDNS_BENCH_POSTGRES_URL)"
fi

scratch=$(mktemp -d /tmp/scaidns-bench.XXXXXX)
pids=()
databases=()
pg_databases=()
mysql_flush_before=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for db in "${databases[@]}"; do mysql "${mysql_args[@]}" -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  for db in "${pg_databases[@]}"; do psql "$postgres_url/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  if [ -n "$mysql_flush_before" ]; then
    mysql "${mysql_args[@]}" -e "SET GLOBAL innodb_flush_log_at_trx_commit = $mysql_flush_before" || true
  fi
  if [ "$keep" -eq 1 ]; then log "scratch kept in $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

# A loopback port free a moment ago (for DNS: free for both UDP and TCP).
free_port() {
  python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", port)); u.close()
    except OSError:
        t.close(); continue
    t.close(); print(port); break
PY
}

wait_http() { # url header seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    curl -fsS -o /dev/null -H "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Starts PowerDNS in $1 with the settings of the test support (scaidns-core/tests/contract/
# support/pdns.rs): no caches, one distributor and receiver thread, API on loopback.
start_pdns() {
  local dir=$1
  sqlite3 "$dir/pdns.sqlite3" < "$schema"
  pdns_api_port=$(free_port); pdns_dns_port=$(free_port)
  pdns_key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  cat > "$dir/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$dir/pdns.sqlite3
gsqlite3-dnssec=yes
local-address=127.0.0.1
local-port=$pdns_dns_port
api=yes
api-key=$pdns_key
webserver=yes
webserver-address=127.0.0.1
webserver-port=$pdns_api_port
webserver-allow-from=127.0.0.1
webserver-loglevel=none
socket-dir=$dir
primary=yes
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
consistent-backends=yes
security-poll-suffix=
distributor-threads=1
receiver-threads=1
loglevel=4
expand-alias=yes
resolver=127.0.0.1:$pdns_dns_port
EOF
  "$pdns_bin" --config-dir="$dir" --daemon=no --guardian=no --disable-syslog --write-pid=no \
    </dev/null >"$dir/pdns.log" 2>&1 &
  pids+=($!)
  pdns_url="http://127.0.0.1:$pdns_api_port"
  wait_http "$pdns_url/api/v1/servers/localhost" "X-API-Key: $pdns_key" 20 || {
    tail -n 30 "$dir/pdns.log" >&2; die "PowerDNS did not start"; }
}

run_store() {
  local name=$1 dir="$scratch/$1" db_url
  mkdir -p "$dir"
  log "[$name] starting PowerDNS"
  start_pdns "$dir"
  local db="scaidns_bench_$$"
  case "$name" in
    mysql)
      mysql "${mysql_args[@]}" -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
      databases+=("$db")
      if [ "$relaxed" -eq 1 ] && [ -z "$mysql_flush_before" ]; then
        mysql_flush_before=$(mysql "${mysql_args[@]}" -N -e 'SELECT @@GLOBAL.innodb_flush_log_at_trx_commit')
        mysql "${mysql_args[@]}" -e 'SET GLOBAL innodb_flush_log_at_trx_commit = 2' \
          || die "--relaxed-commit: the MariaDB user may not SET GLOBAL"
      fi
      db_url="${mysql_url%/}/$db" ;;
    postgres)
      psql "$postgres_url/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
      psql "$postgres_url/postgres" -qc "CREATE DATABASE $db" >/dev/null
      pg_databases+=("$db")
      [ "$relaxed" -eq 1 ] && psql "$postgres_url/postgres" -qc "ALTER DATABASE $db SET synchronous_commit = off" >/dev/null
      db_url="$postgres_url/$db" ;;
    *) db_url="sqlite:$dir/scaidns.sqlite3" ;;
  esac
  local port; port=$(free_port)
  # Production settings, rate limits lifted (a benchmark sends far more than 100 requests a
  # minute with one key). The working directory is the scratch one, so no .env is read.
  export ENVIRONMENT=production DATABASE_URL="$db_url" DATA_DIR="$dir" \
    BIND_ADDRESS="127.0.0.1:$port" EXTERNAL_URL="http://127.0.0.1:$port" \
    API_KEY_PEPPER="bench-pepper-$$" SESSION_SECRET="bench-session-$$" \
    DNS_BACKEND=powerdns PDNS_API_URL="$pdns_url" PDNS_API_KEY="$pdns_key" \
    VALIDATION_RESOLVERS=127.0.0.1 \
    RATE_LIMIT_API_KEY_PER_MINUTE=1000000000 RATE_LIMIT_API_KEY_MAX=1000000000 \
    RATE_LIMIT_USER_PER_MINUTE=1000000000
  (cd "$dir" && "$scaidns" migrate >"$dir/migrate.log" 2>&1) || {
    cat "$dir/migrate.log" >&2; die "[$name] scaidns migrate failed"; }
  local admin_key
  admin_key=$(cd "$dir" && "$scaidns" --json bootstrap --email admin@bench.test \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
  log "[$name] starting scaidns serve ($profile) on 127.0.0.1:$port"
  (cd "$dir" && exec "$scaidns" serve >"$dir/scaidns.log" 2>&1) &
  local server_pid=$!
  pids+=("$server_pid")
  wait_http "http://127.0.0.1:$port/api/v1/health/live" "Accept: application/json" 30 || {
    tail -n 30 "$dir/scaidns.log" >&2; die "[$name] scaidns did not start"; }
  local extra=(--loader "$loader")
  [ -n "$zones" ] && extra+=(--zones "$zones")
  [ -n "$duration" ] && extra+=(--duration "$duration")
  [ -n "$import_records" ] && extra+=(--import-records "$import_records")
  extra+=(--only "$only")
  [ "$smoke" -eq 1 ] && extra+=(--smoke)
  log "[$name] measuring"
  "$load" run --store "$name" --url "http://127.0.0.1:$port" --admin-key "$admin_key" \
    --pdns-url "$pdns_url" --pdns-key "$pdns_key" --server-pid "$server_pid" \
    --out "$scratch/$name.json" "${extra[@]}" || {
    tail -n 20 "$dir/scaidns.log" >&2; die "[$name] the load tool failed (logs above)"; }
  # Stop this store's processes before the next store runs, so they do not share the CPU.
  kill "$server_pid" ${pids[-2]} 2>/dev/null || true
  wait "$server_pid" ${pids[-2]} 2>/dev/null || true
}

# The load before the run says how busy the machine was with other work; the run itself adds
# about two (server, PowerDNS and the load generator on two cores).
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for s in "${stores[@]}"; do run_store "$s"; done

mode=full; [ "$smoke" -eq 1 ] && mode=smoke
pdns_version=$( ("$pdns_bin" --version 2>&1 || true) | grep -o 'Authoritative Server [0-9.]*' | head -1 | cut -d' ' -f3)
machine="$(nproc) cores, $(rustc --version 2>/dev/null | cut -d' ' -f1-2), PowerDNS $pdns_version"
if [[ " ${stores[*]} " == *" mysql "* ]]; then
  machine="$machine, MariaDB $(mysql "${mysql_args[@]}" -N -e 'SELECT VERSION()' 2>/dev/null || echo '?')"
  machine="$machine (innodb_flush_log_at_trx_commit=$(mysql "${mysql_args[@]}" -N -e 'SELECT @@GLOBAL.innodb_flush_log_at_trx_commit' 2>/dev/null || echo '?'))"
fi
if [[ " ${stores[*]} " == *" postgres "* ]]; then
  machine="$machine, PostgreSQL $(psql "$postgres_url/postgres" -Atqc 'SHOW server_version' 2>/dev/null || echo '?')"
  if [ "$relaxed" -eq 1 ]; then machine="$machine (synchronous_commit=off)"; else machine="$machine (synchronous_commit=$(psql "$postgres_url/postgres" -Atqc 'SHOW synchronous_commit' 2>/dev/null || echo '?'))"; fi
fi
echo
echo "ScaiDNS vs PowerDNS's API: \`$command_line\` ($mode, $profile build)"
echo "Machine: $machine; $(date -u +%Y-%m-%dT%H:%MZ); load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
files=()
for s in "${stores[@]}"; do files+=("$scratch/$s.json"); done
"$load" report "${files[@]}"
