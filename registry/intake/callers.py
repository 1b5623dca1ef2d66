"""Who is calling the intake service, and what they may do (intake.md, "Roles"): a pipeline's
bearer token or a person's session cookie becomes a ``Caller``; every object is checked
against the caller's site (``visible``), so that an ID typed by hand for another site's
submission is 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from registry.database.intake_tables import IntakeSubmission
from registry.intake.accounts import authenticate_token
from registry.intake.sessions import Signed, look_up

__all__ = ["COOKIE", "Caller", "identify", "may_see", "may_submit"]

#: The session cookie's name (HttpOnly, SameSite=Strict; Secure over HTTPS).
COOKIE = "vte_session"


@dataclass(frozen=True)
class Caller:
    actor: str  # user:NAME or token:ID, as in the audit trail
    role: str  # site_submitter, site_pipeline or center_analyst
    site_id: str | None  # None for the center
    session: Signed | None = None  # a person's session: its forms carry its CSRF token


def identify(
    engine: Engine, authorization: str | None, cookie: str | None, client: str | None
) -> Caller | None:
    """The caller of a request, or None (no credentials, or dead ones: the same None)."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        row = authenticate_token(engine, token.strip(), client)
        if row is None:
            return None
        return Caller(f"token:{row.token_id}", "site_pipeline", row.site_id)
    if cookie:
        signed = look_up(engine, cookie)
        if signed is not None:
            return Caller(f"user:{signed.user_name}", signed.role, signed.site_id, signed)
    return None


def may_submit(caller: Caller) -> bool:
    """Sites submit, for themselves; the center never uploads for a site."""
    return caller.role in ("site_submitter", "site_pipeline") and caller.site_id is not None


def may_see(caller: Caller, submission: IntakeSubmission | None) -> bool:
    """The center sees every site's submissions; a site only its own."""
    if submission is None:
        return False
    return caller.role == "center_analyst" or caller.site_id == submission.site_id
