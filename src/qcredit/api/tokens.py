"""Client tokens: ``qc_<prefix>_<secret>``. The prefix (8 hex digits) finds the client; the
database keeps only the SHA-256 of the whole token. The secret has 256 random bits, so a fast
hash is enough (nothing to guess, unlike a password); comparison is constant-time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PATTERN = re.compile(r"^qc_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


def new_token() -> tuple[str, str, str]:
    """A fresh token: (token, prefix, digest)."""
    prefix = secrets.token_hex(4)
    token = f"qc_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def prefix_of(token: str) -> str | None:
    """The prefix of a well-formed token, else None."""
    match = TOKEN_PATTERN.match(token or "")
    return match.group(1) if match else None


def matches(token: str, stored_digest: str) -> bool:
    return bool(stored_digest) and hmac.compare_digest(digest(token), stored_digest)
