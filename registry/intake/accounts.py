"""Sites, users and tokens of the intake service (intake.md, "Roles" and "Authentication"),
administered from the server's command line; each change is one transaction with its row in
the service's audit trail (``intake_events``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry.database.intake_tables import ROLES, IntakeSite, IntakeToken, IntakeUser
from registry.database.store import as_utc, reading
from registry.intake.audit import record
from registry.intake.credentials import (
    digests_match,
    hash_password,
    new_token,
    new_totp_secret,
    token_digest,
    token_id_of,
)
from registry.models.ids import SITE_ID_PATTERN

__all__ = [
    "AccountError",
    "IssuedToken",
    "add_site",
    "add_user",
    "authenticate_token",
    "disable_user",
    "issue_token",
    "list_sites",
    "list_tokens",
    "list_users",
    "revoke_token",
]

_USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Longest a token may live (the spec asks for an expiry; a year is the most we allow).
MAX_TOKEN_DAYS = 366


class AccountError(Exception):
    """An administrative action that cannot be done (the message says why, in one line)."""


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str  # shown once, never stored
    site_id: str
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _audit(
    session: Session, action: str, target: str, result: str = "ok", actor: str = "admin"
) -> None:
    record(session, actor, action, target, result, client="cli")


def _site(session: Session, site_id: str) -> IntakeSite:
    site = session.get(IntakeSite, site_id)
    if site is None or not site.active:
        raise AccountError(f"no active site {site_id!r}: add it with `vte-registry admin site add`")
    return site


def add_site(engine: Engine, site_id: str, name: str) -> None:
    if not re.fullmatch(SITE_ID_PATTERN, site_id):
        raise AccountError(f"site {site_id!r} is not a site ID (3 to 8 capital letters or digits)")
    with Session(engine) as session, session.begin():
        if session.get(IntakeSite, site_id) is not None:
            raise AccountError(f"site {site_id} exists already")
        session.add(IntakeSite(site_id=site_id, name=name.strip()[:120], created_at=_now()))
        _audit(session, "site-add", site_id)


def list_sites(engine: Engine) -> list[IntakeSite]:
    with Session(engine) as session:
        return list(session.exec(select(IntakeSite).order_by(col(IntakeSite.site_id))))


def add_user(
    engine: Engine,
    user_name: str,
    role: str,
    password: str,
    site_id: str | None = None,
    totp: bool = False,
) -> str | None:
    """Add a person; returns the one-time-password secret when TOTP is on (required for the
    center: intake.md, "Authentication"), to be shown once for the authenticator app."""
    if not _USER_NAME.fullmatch(user_name):
        raise AccountError(
            f"user name {user_name!r}: 2 to 64 lower-case letters, digits, '.', '_' or '-'"
        )
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if role == "site_submitter" and site_id is None:
        raise AccountError("a site submitter needs --site")
    if role == "center_analyst" and site_id is not None:
        raise AccountError("a center analyst belongs to no site (leave out --site)")
    totp = totp or role == "center_analyst"
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    secret = new_totp_secret() if totp else None
    with Session(engine) as session, session.begin():
        if site_id is not None:
            _site(session, site_id)
        if session.get(IntakeUser, user_name) is not None:
            raise AccountError(f"user {user_name} exists already")
        session.add(
            IntakeUser(
                user_name=user_name,
                role=role,
                site_id=site_id,
                password_hash=hashed,
                totp_secret=secret,
                created_at=_now(),
            )
        )
        _audit(session, "user-add", f"{user_name} ({role}{', ' + site_id if site_id else ''})")
    return secret


def disable_user(engine: Engine, user_name: str) -> None:
    with Session(engine) as session, session.begin():
        user = session.get(IntakeUser, user_name)
        if user is None:
            raise AccountError(f"no user {user_name!r}")
        user.active = False
        _audit(session, "user-disable", user_name)


def reset_password(engine: Engine, user_name: str, password: str) -> None:
    """A new password (hashed); every session of the user ends with the old one."""
    from sqlalchemy import update

    from registry.database.intake_tables import IntakeSession

    try:  # a short one is refused before anything is written
        new_hash = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with Session(engine) as session, session.begin():
        user = session.get(IntakeUser, user_name)
        if user is None:
            raise AccountError(f"no user {user_name!r}")
        user.password_hash = new_hash
        session.execute(
            update(IntakeSession)
            .where(col(IntakeSession.user_name) == user_name)
            .where(col(IntakeSession.ended_at).is_(None))
            .values(ended_at=_now())
        )
        _audit(session, "user-reset-password", user_name)


def list_users(engine: Engine) -> list[IntakeUser]:
    with Session(engine) as session:
        return list(session.exec(select(IntakeUser).order_by(col(IntakeUser.user_name))))


def issue_token(engine: Engine, site_id: str, label: str, days: int = 90) -> IssuedToken:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lives 1 to {MAX_TOKEN_DAYS} days, not {days}")
    token_id, token = new_token()
    expires = _now() + dt.timedelta(days=days)
    with Session(engine) as session, session.begin():
        _site(session, site_id)
        session.add(
            IntakeToken(
                token_id=token_id,
                site_id=site_id,
                digest=token_digest(token),
                label=label.strip()[:120],
                created_at=_now(),
                expires_at=expires,
            )
        )
        _audit(session, "token-issue", f"{token_id} ({site_id})")
    return IssuedToken(token_id, token, site_id, expires)


def revoke_token(engine: Engine, token_id: str) -> None:
    with Session(engine) as session, session.begin():
        token = session.get(IntakeToken, token_id)
        if token is None:
            raise AccountError(f"no token {token_id!r}")
        if token.revoked_at is None:
            token.revoked_at = _now()
        _audit(session, "token-revoke", token_id)


def list_tokens(engine: Engine, site_id: str | None = None) -> list[IntakeToken]:
    query = select(IntakeToken).order_by(col(IntakeToken.site_id), col(IntakeToken.created_at))
    if site_id is not None:
        query = query.where(col(IntakeToken.site_id) == site_id)
    with Session(engine) as session:
        return list(session.exec(query))


#: A live token's use is written down (last_used_at, the audit trail) at most this often:
#: not a write on every request of a pipeline that polls.
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


def authenticate_token(engine: Engine, token: str, client: str | None = None) -> IntakeToken | None:
    """The token's row when ``token`` is a live token of an active site (its last use
    recorded, at most once a minute), else None; the same None for unknown, wrong, expired
    and revoked tokens, and every refusal in the audit trail under the token's public id
    only."""
    token_id = token_id_of(token)
    if token_id is None:
        return None
    now = _now()
    with Session(reading(engine)) as session:  # a read: no queue behind a load on SQLite
        row = session.get(IntakeToken, token_id)
        site = session.get(IntakeSite, row.site_id) if row is not None else None
        if row is not None:
            session.expunge(row)
    ok = (
        row is not None
        and digests_match(row.digest, token)
        and row.revoked_at is None
        and as_utc(row.expires_at) > now
        and site is not None
        and site.active
    )
    last = row.last_used_at if row is not None else None
    if ok and row is not None and last is not None and now - as_utc(last) < USE_RECORDED_EVERY:
        return row  # its use was written down a moment ago
    with Session(engine) as session, session.begin():
        _audit(session, "token-use", token_id, "ok" if ok else "refused", actor=f"token:{token_id}")
        if ok and row is not None:
            live = session.get(IntakeToken, token_id)
            if live is not None:
                live.last_used_at = now
    if not ok or row is None:
        return None
    row.last_used_at = now
    return row
