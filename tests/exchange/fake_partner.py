"""A fake partner system on 127.0.0.1 (random port) for the outbox tests.

It behaves like a well-made receiver: it checks the token and the Idempotency-Key, applies each
key once, remembers the order in which it applied them, and answers a key it has applied
already with 409 naming the key (or, if told so, 200). A script makes it misbehave for chosen
requests:

- ``ok`` — apply and answer 200
- ``500`` / ``503`` / ``400`` / ``401`` / ``409-other`` — answer so without applying
- ``503-retry-after`` — 503 with ``Retry-After: 600``
- ``drop-before`` — close the connection without applying or answering
- ``drop-after`` — apply, then close without answering (the answer is lost)
- ``slow-before`` / ``slow-after`` — wait ``slow`` seconds (longer than the client's read
  timeout) before answering, having applied after (``-before``) or before (``-after``)
- ``hang-after`` — apply, signal ``applied_signal``, and hold the answer until ``release``
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePartner:
    def __init__(self, *, token: str = "partner-token", duplicate_status: int = 409, slow: float = 1.5,
                 delay: float = 0.0):
        self.token = token
        self.duplicate_status = duplicate_status
        self.slow = slow
        self.delay = delay  # every answer waits this long (concurrency tests)
        self.lock = threading.Lock()
        self.applied: list[dict] = []  # what was applied, in order
        self.received: list[str] = []  # the key of every request, in order of arrival
        self.headers: list[dict] = []
        self.by_key: dict[str, list[str]] = defaultdict(list)  # scripted behaviours per key
        self.rule: Callable[[dict, int], str | None] | None = None  # (body, nth request of key) → behaviour
        self.default = "ok"
        self.applied_signal = threading.Event()
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/list-events"

    def start(self) -> FakePartner:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- scripting and reading -----------------------------------------------------------------

    def script(self, key: str, *behaviours: str) -> None:
        self.by_key[key].extend(behaviours)

    @property
    def applied_keys(self) -> list[str]:
        return [a["key"] for a in self.applied]

    def order(self, entry_key: str) -> list[str]:
        """The actions applied for one entry, in order."""
        return [a["action"] for a in self.applied if a["entry_key"] == entry_key]

    def received_count(self, key: str) -> int:
        return self.received.count(key)

    # -- the server ----------------------------------------------------------------------------

    def _behaviour(self, key: str, body: dict) -> str:
        with self.lock:
            nth = self.received.count(key) - 1  # earlier requests with this key
            if self.by_key.get(key):
                return self.by_key[key].pop(0)
        if self.rule is not None:
            chosen = self.rule(body, nth)
            if chosen:
                return chosen
        return self.default

    def _apply(self, key: str, body: dict) -> bool:
        with self.lock:
            if key in {a["key"] for a in self.applied}:
                return False
            self.applied.append({"key": key, "entry_key": body.get("entry_key"), "action": body.get("action"),
                                 "event_id": body.get("event_id"), "data": body.get("data")})
        self.applied_signal.set()
        return True

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, doc: dict, headers: dict | None = None) -> None:
                data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timed out) already

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                with fake.lock:
                    fake.received.append(key)
                    fake.headers.append(dict(self.headers))
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._answer(401, {"error": "bad token"})
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    return self._answer(400, {"error": "not json"})
                if not key or body.get("idempotency_key") != key:
                    return self._answer(400, {"error": "Idempotency-Key missing or not the body's"})
                behaviour = fake._behaviour(key, body)
                if fake.delay:
                    time.sleep(fake.delay)
                if behaviour in ("500", "503", "400", "401"):
                    return self._answer(int(behaviour), {"error": behaviour})
                if behaviour == "503-retry-after":
                    return self._answer(503, {"error": "busy"}, {"Retry-After": "600"})
                if behaviour == "409-other":
                    return self._answer(409, {"error": "conflict", "idempotency_key": "someone-else"})
                if behaviour == "drop-before":
                    return self._drop()
                if behaviour == "slow-before":
                    time.sleep(fake.slow)
                    fake._apply(key, body)
                    return self._answer(200, {"status": "applied"})
                fresh = fake._apply(key, body)
                if behaviour == "drop-after":
                    return self._drop()
                if behaviour == "slow-after":
                    time.sleep(fake.slow)
                if behaviour == "hang-after":
                    fake.release.wait(30)
                if fresh:
                    return self._answer(200, {"status": "applied", "idempotency_key": key})
                return self._answer(fake.duplicate_status, {"status": "already_applied", "idempotency_key": key},
                                    {"Idempotency-Key": key})

        return Handler
