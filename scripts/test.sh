#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on a private PostgreSQL cluster.
# The cluster is stopped even when tests fail; the exit status is non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py=.venv/bin/pytest
workers="${TEST_WORKERS:-2}"
args=(-q -n "$workers" --dist loadfile "$@")

status=0
echo "== Tests on SQLite =="
"$py" "${args[@]}" || status=1

echo "== Tests on PostgreSQL =="
trap 'scripts/pg.sh stop' EXIT
if scripts/pg.sh start; then
  DATABASE_URL="$(scripts/pg.sh url)" "$py" "${args[@]}" || status=1
else
  echo "could not start PostgreSQL" >&2
  status=1
fi
exit $status
