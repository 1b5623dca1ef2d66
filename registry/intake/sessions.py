"""Browser sessions of the intake service (intake.md, "Authentication"; OWASP ASVS 3): a
random cookie value known to the database only by its SHA-256, a CSRF token per session for
its forms, an idle and an absolute expiry, and sign-out that ends the session on the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from registry.database.intake_tables import IntakeSession, IntakeUser
from registry.database.store import as_utc, reading
from registry.intake.audit import record

__all__ = ["ABSOLUTE", "IDLE", "Signed", "csrf_ok", "end", "look_up", "start"]

#: ASVS 3.3.2 (level 2): re-authentication within 12 hours, idle time-out of 30 minutes.
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Signed:
    """A live session: who, for which site, and the token its forms must carry."""

    user_name: str
    role: str
    site_id: str | None
    csrf: str
    digest: str


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def start(engine: Engine, user_name: str, client: str | None = None) -> str:
    """A new session for a signed-in user; the cookie value (shown to the browser only)."""
    cookie = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        session.add(
            IntakeSession(
                digest=_digest(cookie),
                user_name=user_name,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                seen_at=now,
            )
        )
        record(session, f"user:{user_name}", "session", None, "started", client=client)
    return cookie


def look_up(engine: Engine, cookie: str, now: dt.datetime | None = None) -> Signed | None:
    """The session of ``cookie`` while it lives (its idle clock restarted), else None.
    Read without the write lock; written only when it ends or every 30 seconds of use."""
    if not cookie or len(cookie) > 128:
        return None
    now = now or dt.datetime.now(dt.UTC)
    digest = _digest(cookie)
    with Session(reading(engine)) as session:
        row = session.get(IntakeSession, digest)
        user = session.get(IntakeUser, row.user_name) if row is not None else None
        if row is None or row.ended_at is not None:
            return None
        seen, created, csrf = as_utc(row.seen_at), as_utc(row.created_at), row.csrf
    alive = now - seen <= IDLE and now - created <= ABSOLUTE and user is not None and user.active
    if not alive or now - seen > dt.timedelta(seconds=30):
        with Session(engine) as session, session.begin():
            live = session.get(IntakeSession, digest)
            if live is not None:
                if alive:
                    live.seen_at = now
                else:
                    live.ended_at = now
    if not alive or user is None:
        return None
    return Signed(user.user_name, user.role, user.site_id, csrf, digest)


def csrf_ok(signed: Signed, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(signed.csrf, offered)


def end(engine: Engine, signed: Signed, client: str | None = None) -> None:
    """Sign-out: the session ends on the server (the cookie is worthless afterwards)."""
    with Session(engine) as session, session.begin():
        row = session.get(IntakeSession, signed.digest)
        if row is not None and row.ended_at is None:
            row.ended_at = dt.datetime.now(dt.UTC)
        record(session, f"user:{signed.user_name}", "sign-out", None, "ok", client=client)
