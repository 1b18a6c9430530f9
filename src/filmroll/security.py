"""Secrets: password hashing (argon2), random tokens and their stored sha256 digests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """32 random bytes, base64 without non-word characters, like Immich's access tokens."""
    return re.sub(r"\W", "", base64.b64encode(secrets.token_bytes(32)).decode())


def digest(token: str) -> bytes:
    """What the database stores instead of a token: its sha256."""
    return hashlib.sha256(token.encode()).digest()
