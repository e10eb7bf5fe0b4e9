#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: its own data directory under a temp dir, loopback
# only, a free port, trust auth for a password-protected role (the password still travels, so the
# tests can check it never reaches a log). Used by .ci/run and by developers:
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # exports ROLECALL_TEST_DATABASE_URL, ROLECALL_TEST_PG_DIR, ...
#   scripts/pg-test-cluster.sh restart "$ROLECALL_TEST_PG_DIR"   # pg_ctl restart -m fast
#   scripts/pg-test-cluster.sh stop "$ROLECALL_TEST_PG_DIR"
#
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` OS user (created
# by the Debian package) through runuser.
set -euo pipefail

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

cmd="${1:-}"
case "$cmd" in
  start)
    bindir="$(find_bindir)" || { echo "echo 'PostgreSQL server binaries not found (apt-get install postgresql)' >&2"; exit 1; }
    dir="$(mktemp -d "${TMPDIR:-/tmp}/rolecall-pg-XXXXXX")"
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port="$(free_port)"
    password="pg-test-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" > "$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
    as_owner "$bindir/initdb" -D "$dir/data" -U rolecall --pwfile="$dir/pwfile" -A scram-sha-256 --locale=C.UTF-8 -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    # Small and quick: the tests open many short-lived pools; fsync stays on (durability tests).
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 64MB
logging_collector = off
CONF
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    # A natural-language collation (ICU en-US) as many real databases have, so the tests catch any
    # ordering that silently depends on the database's collation; plain C.UTF-8 without ICU.
    PGPASSWORD="$password" "$bindir/createdb" -w -h 127.0.0.1 -p "$port" -U rolecall -T template0 --locale-provider=icu --icu-locale=en-US rolecall_test </dev/null 2>/dev/null \
      || PGPASSWORD="$password" "$bindir/createdb" -w -h 127.0.0.1 -p "$port" -U rolecall rolecall_test </dev/null
    echo "export ROLECALL_TEST_DATABASE_URL='postgres://rolecall:$password@127.0.0.1:$port/rolecall_test'"
    echo "export ROLECALL_TEST_PG_DIR='$dir'"
    echo "export ROLECALL_TEST_PG_BINDIR='$bindir'"
    ;;
  restart)
    # A fast restart (active sessions are cut, as in a failover): for the failure tests.
    dir="${2:?usage: $0 restart DIR}"
    bindir="$(find_bindir)"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
    ;;
  stop)
    dir="${2:?usage: $0 stop DIR}"
    bindir="$(find_bindir)"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | restart DIR | stop DIR" >&2
    exit 2
    ;;
esac
