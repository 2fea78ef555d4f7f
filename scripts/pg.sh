#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the tests: scripts/pg.sh start|stop|url
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${PG_DIR:-$root/var/pgtest}"
port="${PG_PORT:-5433}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -n $bin ]] || { echo "PostgreSQL is not installed (scripts/system-deps.sh installs it)" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [[ $(id -u) -eq 0 ]]; then
      install -d -o postgres -g postgres "$dir" "$dir/sock"
    else
      mkdir -p "$dir/sock"
    fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    echo "PostgreSQL started on 127.0.0.1:$port ($dir)"
    ;;
  stop)
    if [[ -f $dir/data/postmaster.pid ]]; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
      echo "PostgreSQL stopped"
    fi
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$port/aftersale"
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2; exit 2
    ;;
esac
