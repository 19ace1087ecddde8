#!/usr/bin/env bash
# Make PostgreSQL reachable on 127.0.0.1:5432 (trust auth for user postgres), for the tests.
# 1. a Debian cluster that is installed but stopped; 2. a throwaway cluster from initdb.
set -euo pipefail
cd "$(dirname "$0")/.."
ready() { .venv/bin/python scripts/services.py postgres postgres://postgres@127.0.0.1:5432/postgres; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true; done
  sleep 2; ready && exit 0
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "pg-up: no PostgreSQL binaries found" >&2; exit 1; }
DATA=${PGUP_DATA:-/tmp/qcredit-pg}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -s "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"; [ "$(id -u)" = 0 ] && chown postgres "$DATA"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
as_pg "$BIN/pg_ctl" -D "$DATA" -o "-c listen_addresses=127.0.0.1 -p 5432 -k /tmp" -l "$DATA/log" -w start
ready
