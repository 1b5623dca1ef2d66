"""Signing in to the intake service (intake.md, "Authentication"): a password checked against
its argon2id hash and, where enabled, a one-time password; the same answer for an unknown user
and a wrong password; failed attempts limited per account and per client address with a delay
that doubles (OWASP ASVS 2.2.1), counted from the service's audit trail, so that a restart or a
second worker process does not forget them."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session, col

from registry.database.intake_tables import IntakeEvent, IntakeUser
from registry.database.store import as_utc
from registry.intake.audit import record
from registry.intake.credentials import hash_password, totp_ok, verify_password

__all__ = ["FAILURE_WINDOW", "FREE_FAILURES", "MAX_DELAY_SECONDS", "SignIn", "sign_in"]

#: Failed attempts counted over this window.
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: Failures before the first delay; then 1, 2, 4, ... seconds up to the maximum.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 60.0


@dataclass(frozen=True)
class SignIn:
    """The outcome: the user when signed in; else None, and how long to wait before the next
    attempt is even checked (0 when none). Nothing says whether the user exists."""

    user: IntakeUser | None
    retry_after: float = 0.0


@cache
def _decoy() -> str:
    """A hash to check unknown users' passwords against: the same work, the same time."""
    return hash_password(secrets.token_urlsafe(24))


def sign_in(
    engine: Engine,
    user_name: str,
    password: str,
    code: str | None = None,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> SignIn:
    now = now or dt.datetime.now(dt.UTC)
    client = (client or "unknown")[:64]
    with Session(engine) as session, session.begin():
        user = session.get(IntakeUser, user_name[:64]) if user_name else None
        # the audit names an account only when it exists (a password typed as a user name
        # is never written down)
        target = user.user_name if user is not None else None
        since = now - FAILURE_WINDOW
        failed = (
            select(func.count(), func.max(col(IntakeEvent.at)))
            .where(col(IntakeEvent.action) == "sign-in")
            .where(col(IntakeEvent.result).in_(("refused", "throttled")))
            .where(col(IntakeEvent.at) >= since)
        )
        who = [col(IntakeEvent.client) == client]
        if target is not None:
            who.append(col(IntakeEvent.target) == target)
        count, last = session.execute(failed.where(or_(*who))).one()
        if count >= FREE_FAILURES and last is not None:
            last = as_utc(last)
            delay = min(2.0 ** (count - FREE_FAILURES), MAX_DELAY_SECONDS)
            wait = (last + dt.timedelta(seconds=delay) - now).total_seconds()
            if wait > 0:
                _record(session, now, target, client, "throttled")
                return SignIn(None, wait)
        good = verify_password(user.password_hash if user is not None else _decoy(), password)
        ok = user is not None and user.active and good
        if ok and user is not None and user.totp_secret is not None:
            ok = code is not None and totp_ok(user.totp_secret, code)
        _record(session, now, target, client, "ok" if ok else "refused")
        if not ok:
            return SignIn(None)
        assert user is not None
        session.expunge(user)
        return SignIn(user)


def _record(
    session: Session, now: dt.datetime, target: str | None, client: str, result: str
) -> None:
    actor = f"user:{target}" if target is not None else "anonymous"
    record(session, actor, "sign-in", target, result, client=client, at=now)
