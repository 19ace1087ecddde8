#!/usr/bin/env bash
# The whole test suite: a SQLite pass (the embedded default) and a PostgreSQL pass (production).
# QCREDIT_REQUIRE_SERVICES=1 (set by .ci/run): a missing PostgreSQL or Redis, or any skipped
# test, fails the run instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
REQUIRE=${QCREDIT_REQUIRE_SERVICES:-0}
PG_URL=${QCREDIT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/qcredit}
REPORTS=var/test-reports
export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}
mkdir -p "$REPORTS"
rm -f "$REPORTS"/*.xml

pg_reachable() { "$BIN/python" scripts/services.py postgres "$PG_URL"; }
redis_reachable() { "$BIN/python" scripts/services.py redis "${REDIS_URL:-redis://127.0.0.1:6379/0}"; }

if ! redis_reachable; then
  scripts/redis-up.sh || true
fi
if ! pg_reachable; then
  scripts/pg-up.sh || true
fi

status=0
started=$(date +%s)
echo "== pass 1/2: SQLite =="
DATABASE_URL=sqlite:///$PWD/var/test-default.sqlite3 "$BIN/pytest" -m "not postgres" -p no:cacheprovider \
  --junitxml="$REPORTS/sqlite.xml" "$@" || status=$?
echo "   SQLite pass: $(( $(date +%s) - started )) s"

started=$(date +%s)
if pg_reachable; then
  echo "== pass 2/2: PostgreSQL ($PG_URL) =="
  DATABASE_URL=$PG_URL "$BIN/pytest" -p no:cacheprovider --junitxml="$REPORTS/postgres.xml" "$@" || status=$?
  echo "   PostgreSQL pass: $(( $(date +%s) - started )) s"
elif [ "$REQUIRE" = 1 ]; then
  echo "PostgreSQL is not reachable at $PG_URL, and QCREDIT_REQUIRE_SERVICES=1" >&2
  status=1
else
  echo "== pass 2/2: PostgreSQL not reachable at $PG_URL — skipped (CI runs it; see docs/operations.md) =="
fi

if [ "$REQUIRE" = 1 ]; then
  "$BIN/python" scripts/check_skips.py "$REPORTS"/*.xml || status=1
fi
exit $status
