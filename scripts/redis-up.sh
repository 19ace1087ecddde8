#!/usr/bin/env bash
# Make Redis reachable on 127.0.0.1:6379 (nothing kept on disk), for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ready() { .venv/bin/python scripts/services.py redis redis://127.0.0.1:6379/0; }
ready && exit 0
command -v redis-server >/dev/null || { echo "redis-up: redis-server is not installed" >&2; exit 1; }
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp
sleep 1
ready
