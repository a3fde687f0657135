"""API tokens: random, shown once, stored only as a SHA-256 hash (CLI and API share this)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh bearer token (URL-safe, ~43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what ``users.token_hash`` stores and auth looks up."""
    return hashlib.sha256(token.encode()).hexdigest()
