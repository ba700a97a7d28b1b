#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: loopback only, in a temporary directory.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints export lines: PRODLIFE_POSTGRESQL_URL, _DIR
#   bash .ci/postgres.sh stop "$PRODLIFE_POSTGRESQL_DIR"   # stops it and removes the directory
#   bash .ci/postgres.sh run CMD ARGS...   # start, run CMD with the URL exported, always stop
#
# Installs the server from the system packages (apt-get install postgresql) when no
# /usr/lib/postgresql/*/bin/postgres exists. initdb and postgres refuse to run as root, so as
# root they run as the postgres user (created if missing). The cluster trusts every local
# connection, listens on 127.0.0.1 only, on a free port, and trades durability for speed
# (fsync off): it holds nothing worth keeping. Progress goes to stderr; stdout is only the
# export lines, for eval.
set -euo pipefail

PG_USER=prodlife
PG_DATABASE=prodlife

say() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The newest server's bin directory, or nothing.
find_bindir() {
  local dir best=""
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then best=$dir; fi
  done
  printf '%s' "$best"
}

install_server() {
  [ "$(id -u)" -eq 0 ] || die "no PostgreSQL server in /usr/lib/postgresql/*/bin and not root to" \
    "install one; run: sudo apt-get install -y postgresql"
  command -v apt-get > /dev/null || die "no PostgreSQL server and no apt-get to install one"
  say "installing the PostgreSQL server from the system packages (apt-get install postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq --no-install-recommends postgresql > /dev/null
}

# Run a server program as the account that owns the cluster: postgres when we are root.
# From /, which that account can always enter (the checkout may be private to root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
  local dir=${1:-${PRODLIFE_POSTGRESQL_DIR:-}}
  [ -n "$dir" ] || die "stop: which cluster? give its directory (PRODLIFE_POSTGRESQL_DIR)"
  [ -d "$dir" ] || return 0 # already stopped and removed
  [ -f "$dir/prodlife-postgresql" ] || die "stop: $dir is not a cluster this script started"
  if [ -f "$dir/data/postmaster.pid" ]; then
    local bindir pid
    bindir=$(cat "$dir/bindir")
    if ! as_owner "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 > /dev/null 2>&1
    then
      pid=$(head -n 1 "$dir/data/postmaster.pid" 2> /dev/null || true)
      say "pg_ctl stop failed; killing the server (pid ${pid:-unknown}); its log:"
      tail -n 20 "$dir/server.log" >&2 2> /dev/null || true
      if [ -n "$pid" ]; then kill -KILL "$pid" 2> /dev/null || true; fi
    fi
  fi
  rm -rf "$dir"
  say "stopped the cluster and removed $dir"
}

start() {
  local bindir port="" attempt
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    install_server
    bindir=$(find_bindir)
    [ -n "$bindir" ] || die "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres"
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres > /dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi

  # Whatever fails from here on, nothing is left behind (dir and started are global, so the
  # trap still sees them when die exits from inside this function).
  dir="" started=""
  trap '[ -n "$started" ] || [ -z "$dir" ] || stop "$dir" > /dev/null 2>&1 || true' EXIT
  dir=$(mktemp -d "${TMPDIR:-/tmp}/prodlife-postgresql.XXXXXX")
  touch "$dir/prodlife-postgresql"
  if [ "$(id -u)" -eq 0 ] && ! as_owner test -x "$dir/.."; then
    # The postgres user cannot reach $TMPDIR (e.g. under /root): use /tmp instead.
    rm -rf "$dir"
    dir=$(mktemp -d /tmp/prodlife-postgresql.XXXXXX)
    touch "$dir/prodlife-postgresql"
  fi
  printf '%s\n' "$bindir" > "$dir/bindir"
  mkdir "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi

  as_owner "$bindir/initdb" --pgdata="$dir/data" --username="$PG_USER" --auth=trust \
    --encoding=UTF8 --locale=C --no-sync --no-instructions > "$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  # A free port can be taken between asking and binding: try a few.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "\
-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal \
-c max_wal_senders=0 -c max_connections=50 -c shared_buffers=32MB" > /dev/null 2>&1; then
      break
    fi
    say "the server did not start on port $port (attempt $attempt); its log ends:"
    tail -n 5 "$dir/server.log" >&2 || true
    [ "$attempt" -lt 5 ] || die "the server would not start; giving up"
  done

  "$bindir/createdb" --host=127.0.0.1 --port="$port" --username="$PG_USER" "$PG_DATABASE"
  started=yes
  trap - EXIT
  say "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port in $dir"
  printf 'export PRODLIFE_POSTGRESQL_URL=%q\n' \
    "postgresql://$PG_USER@127.0.0.1:$port/$PG_DATABASE"
  printf 'export PRODLIFE_POSTGRESQL_DIR=%q\n' "$dir"
}

run() {
  [ "$#" -gt 0 ] || die "run: give a command to run against the cluster"
  local exports
  exports=$(start)
  eval "$exports"
  trap 'stop "$PRODLIFE_POSTGRESQL_DIR"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local status=0
  "$@" || status=$?
  exit "$status"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  run) shift; run "$@" ;;
  *) die "usage: $0 start | stop DIR | run CMD [ARGS...]" ;;
esac
