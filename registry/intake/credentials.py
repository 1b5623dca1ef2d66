"""Secrets of the intake service, made and checked with maintained libraries: passwords with
argon2-cffi (argon2id, its default parameters: RFC 9106's second recommended option), one-time
passwords with pyotp (RFC 6238), tokens with ``secrets``. Nothing here stores or logs a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "TOKEN_PREFIX",
    "hash_password",
    "new_token",
    "new_totp_secret",
    "token_digest",
    "token_id_of",
    "totp_ok",
    "verify_password",
]

#: Tokens read "vte_<id>_<secret>": the id finds the row, the digest of the whole proves it.
TOKEN_PREFIX = "vte_"
#: 32 bytes: 256 random bits (intake.md: "at least 256 random bits").
_TOKEN_BYTES = 32
#: Below this a password is refused (OWASP ASVS 2.1.1: at least 12 characters).
MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id by default


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 hash ``stored`` (never raises on a mismatch)."""
    from argon2.exceptions import Argon2Error, InvalidHashError

    try:
        return bool(_hasher().verify(stored, password))
    except (Argon2Error, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A new token: its public id and the whole token, shown once."""
    token_id = secrets.token_hex(6)
    return token_id, f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(_TOKEN_BYTES)}"


def token_id_of(token: str) -> str | None:
    """The public id of a token as sent, or None when it is not one of ours."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, sep, rest = token[len(TOKEN_PREFIX) :].partition("_")
    return token_id if sep and rest and len(token_id) == 12 else None


def token_digest(token: str) -> str:
    """SHA-256 of the token: a token holds 256 random bits, so a fast digest is enough (a
    slow hash protects guessable secrets, not random ones)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def digests_match(stored: str, token: str) -> bool:
    return hmac.compare_digest(stored, token_digest(token))


def new_totp_secret() -> str:
    import pyotp

    return str(pyotp.random_base32())


def totp_ok(secret: str, code: str) -> bool:
    """Whether ``code`` is the one-time password of now (or of the step before or after, the
    clock drift RFC 6238 section 6 allows)."""
    import pyotp

    return bool(pyotp.TOTP(secret).verify(code.strip(), valid_window=1))
