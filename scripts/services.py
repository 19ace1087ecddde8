"""Is a service reachable? ``services.py postgres URL`` / ``services.py redis URL``; exit 0 if so."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse


def postgres(url: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    parts = urlparse(url)
    try:
        with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                             user=parts.username or "postgres", password=parts.password,
                             dbname="postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def redis(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


if __name__ == "__main__":
    service, url = sys.argv[1], sys.argv[2]
    sys.exit(0 if {"postgres": postgres, "redis": redis}[service](url) else 1)
