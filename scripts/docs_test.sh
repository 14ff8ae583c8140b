#!/usr/bin/env bash
# Walks docs/deployment.md and then docs/operations.md as written, against a real PowerDNS,
# MariaDB and Redis: every fenced block carries a marker in an HTML comment just above it,
#
#   <!-- docs-test: run -->            run the block (sh; sql goes to `mysql -uroot`)
#   <!-- docs-test: run if=gmysql -->  only with that PowerDNS backend (gmysql or gsqlite3)
#   <!-- docs-test: file PATH -->      write the block to PATH
#   <!-- docs-test: skip (reason) -->  documentation only (systemd, user accounts, proxy)
#   <!-- docs-test: do STEP -->        (no block) a step this script stands in for, e.g.
#                                      start_pdns instead of `systemctl restart pdns`
#
# and a block without one fails the walk. The run blocks execute in order in one shell, after
# rewriting paths (/etc, /var/lib, /var/backups, /usr/local/bin) into a scratch directory,
# ports (53, 8000, 8081) to free ones and database names to throwaway ones. Only the processes
# this script starts are stopped; its databases and users are dropped at the end.
#
# Needs: root (MariaDB's root over its socket), pdns_server with the gmysql or gsqlite3
# backend, mariadb, redis on 127.0.0.1:6379, curl, jq, dig, sqlite3, openssl, python3
# (scripts/test.sh installs and starts them). KEEP_SCRATCH=1 keeps the scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> docs: %s\n' "$*" >&2; }

docs=(docs/deployment.md docs/operations.md)
scratch=$(mktemp -d /tmp/scaidns-docs.XXXXXX)
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
API_PORT=$(free_port)
PDNS_API_PORT=$(free_port)
DNS_PORT=$(free_port)
SCAIDNS_DB="docs_scaidns_$$"
PDNS_DB="docs_pdns_$$"
if compgen -G '/usr/lib/*/pdns/libgmysqlbackend.so' >/dev/null; then
  PDNS_BACKEND=gmysql
else
  PDNS_BACKEND=gsqlite3
fi

pdns_pid=""
serve_pid=""
worker_pid=""
cleanup() {
  local status=$?
  for pid in $serve_pid $worker_pid $pdns_pid; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $serve_pid $worker_pid $pdns_pid; do
    wait "$pid" 2>/dev/null || true
  done
  mysql -uroot -e "DROP DATABASE IF EXISTS \`$SCAIDNS_DB\`; DROP DATABASE IF EXISTS \`$PDNS_DB\`;
    DROP USER IF EXISTS '$SCAIDNS_DB'@'127.0.0.1'; DROP USER IF EXISTS '$PDNS_DB'@'127.0.0.1';" || true
  if [ "$status" -ne 0 ]; then
    for f in "$scratch"/*.log; do
      [ -f "$f" ] && { log "last lines of $f"; tail -n 40 "$f" >&2; }
    done
    log "FAILED (scratch: $scratch)"
  elif [ -z "${KEEP_SCRATCH:-}" ]; then
    rm -rf "$scratch"
  fi
  exit "$status"
}
trap cleanup EXIT

log "building scaidns"
cargo build -q -p scaidns-cli
mkdir -p "$scratch/bin" "$scratch/run"
ln -s "$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/debug/scaidns" \
  "$scratch/bin/scaidns"
export PATH="$scratch/bin:$PATH"
export SCAIDNS_URL="http://127.0.0.1:$API_PORT"

# Steps the guide leaves to systemd.
wait_for() { # what command...
  local what=$1
  shift
  for _ in $(seq 1 100); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "$what did not come up"
  return 1
}
start_pdns() {
  printf 'X-API-Key: %s\n' "$(sed -n 's/^api-key=//p' "$scratch/etc/powerdns/pdns.conf")" \
    >"$scratch/pdns-key.header"
  pdns_server --config-dir="$scratch/etc/powerdns" --socket-dir="$scratch/run" \
    --daemon=no --guardian=no --disable-syslog >>"$scratch/pdns.log" 2>&1 &
  pdns_pid=$!
  wait_for PowerDNS curl -fsS -H @"$scratch/pdns-key.header" \
    "http://127.0.0.1:$PDNS_API_PORT/api/v1/servers/localhost"
}
stop_pdns() {
  kill "$pdns_pid"
  wait "$pdns_pid" 2>/dev/null || true
  pdns_pid=""
}
start_scaidns() {
  (set -a; . "$scratch/etc/scaidns/scaidns.env"; exec scaidns serve --no-jobs) >>"$scratch/serve.log" 2>&1 &
  serve_pid=$!
  (set -a; . "$scratch/etc/scaidns/scaidns.env"; exec scaidns worker) >>"$scratch/worker.log" 2>&1 &
  worker_pid=$!
  wait_for "scaidns serve" curl -fsS "http://127.0.0.1:$API_PORT/health/live"
}
stop_scaidns() {
  kill "$serve_pid" "$worker_pid"
  wait "$serve_pid" "$worker_pid" 2>/dev/null || true
  serve_pid=""
  worker_pid=""
}

# The guide's values, pointed at the scratch directory, free ports and throwaway databases.
rewrite() {
  sed -e "s#/etc/scaidns#$scratch/etc/scaidns#g" \
      -e "s#/etc/powerdns#$scratch/etc/powerdns#g" \
      -e "s#/var/lib/powerdns#$scratch/var/lib/powerdns#g" \
      -e "s#/var/lib/scaidns#$scratch/var/lib/scaidns#g" \
      -e "s#/var/backups#$scratch/var/backups#g" \
      -e "s#/usr/local/bin/scaidns#$scratch/bin/scaidns#g" \
      -e "s#127\.0\.0\.1:8000#127.0.0.1:$API_PORT#g" \
      -e "s#8081#$PDNS_API_PORT#g" \
      -e "s#^local-port=53\$#local-port=$DNS_PORT#" \
      -e "s#^local-address=.*#local-address=127.0.0.1#" \
      -e "s#dig +short @127\.0\.0\.1 #dig +short -p $DNS_PORT @127.0.0.1 #g" \
      -e "s#mysql://scaidns:#mysql://$SCAIDNS_DB:#g" \
      -e "s#3306/scaidns#3306/$SCAIDNS_DB#g" \
      -e "s#DATABASE scaidns #DATABASE $SCAIDNS_DB #g" \
      -e "s#'scaidns'@'%'#'$SCAIDNS_DB'@'127.0.0.1'#g" \
      -e "s#'scaidns'@#'$SCAIDNS_DB'@#g" \
      -e "s# scaidns\.\*# $SCAIDNS_DB.*#g" \
      -e "s#-uroot --single-transaction scaidns #-uroot --single-transaction $SCAIDNS_DB #g" \
      -e "s#-uroot scaidns <#-uroot $SCAIDNS_DB <#g" \
      -e "s#DATABASE pdns;#DATABASE $PDNS_DB;#g" \
      -e "s#'pdns'@#'$PDNS_DB'@#g" \
      -e "s# pdns\.\*# $PDNS_DB.*#g" \
      -e "s#-uroot pdns <#-uroot $PDNS_DB <#g" \
      -e "s#-uroot --single-transaction pdns #-uroot --single-transaction $PDNS_DB #g" \
      -e "s#gmysql-dbname=pdns#gmysql-dbname=$PDNS_DB#g" \
      -e "s#gmysql-user=pdns#gmysql-user=$PDNS_DB#g"
}
# The guide's pdns.conf names both backends; keep the one installed here.
pick_backend() {
  if [ "$PDNS_BACKEND" = gsqlite3 ]; then
    sed -e 's/^launch=gmysql/# launch=gmysql/' -e 's/^gmysql-/# gmysql-/' \
        -e 's/^# launch=gsqlite3/launch=gsqlite3/' -e 's/^# gsqlite3-/gsqlite3-/'
  else
    cat
  fi
}

# Turns the marked blocks into one script: `file FILE` blocks are written by a quoted
# heredoc, sql blocks go to mysql, sh blocks run as they are.
walk="$scratch/walk.sh"
: >"$walk"
for doc in "${docs[@]}"; do
  awk -v doc="$doc" '
    function fail(msg) { printf "%s:%d: %s\n", doc, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
    /^<!-- docs-test: / {
      m = $0; sub(/^<!-- docs-test: /, "", m); sub(/ *-->.*$/, "", m)
      if (m ~ /^do /) { sub(/^do /, "", m); printf "log %s\n%s\n", "\"" doc ":" NR ": " m "\"", m; next }
      marker = m; marker_line = NR; next
    }
    /^```/ && !inblock {
      if (marker == "") fail("a fenced block without a docs-test marker")
      inblock = 1; lang = substr($0, 4); kind = marker; marker = ""; body = ""; start = NR; next
    }
    /^```/ && inblock {
      inblock = 0
      if (kind ~ /^skip/) next
      printf "log \"%s:%d: %s\"\n", doc, start, kind
      if (kind ~ /^file /) {
        path = kind; sub(/^file /, "", path)
        printf "mkdir -p \"$(dirname %s)\"\ncat > %s <<'"'"'DOCS_BLOCK'"'"'\n%sDOCS_BLOCK\n", path, path, body
        printf "pick_backend < %s > %s.picked && mv %s.picked %s\n", path, path, path, path
        next
      }
      if (kind ~ /if=/) {
        b = kind; sub(/.*if=/, "", b); sub(/[ )].*/, "", b)
        printf "if [ \"$PDNS_BACKEND\" = %s ]; then\n", b
      }
      if (lang == "sql") printf "mysql -uroot <<'"'"'DOCS_SQL'"'"'\n%sDOCS_SQL\n", body
      else printf "%s", body
      if (kind ~ /if=/) printf "fi\n"
      next
    }
    inblock { body = body $0 "\n" }
    END { if (!bad && inblock) fail("an unclosed fenced block") }
  ' "$doc" | rewrite >>"$walk"
done

# A value the rewrite missed would act on this machine's real paths, services or databases:
# refuse to run rather than find out. (The throwaway accounts are loopback-only, never '%'.)
leftovers=$(sed "s#$scratch#SCRATCH#g" "$walk" | grep -nE \
  -e "(^|[^H])/(etc|var|usr/local)/" \
  -e "(:|port=)(53|8000|8081)([^0-9]|\$)" \
  -e "3306/(scaidns|pdns)([^_0-9a-z]|\$)" \
  -e "DATABASE (IF NOT EXISTS )?(scaidns|pdns)([^_0-9a-z]|\$)" \
  -e "'(scaidns|pdns)'@|@'%'" \
  -e "[ (](scaidns|pdns)\.\*" \
  -e "-uroot( --single-transaction)? (scaidns|pdns)( |\$)" \
  -e "gmysql-(dbname|user)=(scaidns|pdns)\$" || true)
if [ -n "$leftovers" ]; then
  log "the rewrite left real paths, ports or database names in $walk:"
  printf '%s\n' "$leftovers" >&2
  exit 1
fi

log "PowerDNS backend $PDNS_BACKEND; API on $API_PORT, PowerDNS API on $PDNS_API_PORT, DNS on $DNS_PORT"
# In this shell, so that the steps share variables (API keys, ids) and the started processes.
# shellcheck source=/dev/null
. "$walk"
log "the deployment guide and the operator guide ran as written"
