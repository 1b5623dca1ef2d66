"""The intake service's own tables in the registry database (spec: intake.md): the sites that
submit, the people and pipelines that act for them, and the service's audit trail. Secrets
are never stored: passwords as argon2id hashes, tokens as SHA-256 digests of 256 random bits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "IN_PROGRESS",
    "ROLES",
    "STATES",
    "IntakeEvent",
    "IntakeSession",
    "IntakeSite",
    "IntakeSubmission",
    "IntakeToken",
    "IntakeUser",
]

#: Who may do what (intake.md, "Roles"); administrators act from the server's command line.
ROLES = ("site_submitter", "center_analyst")


class IntakeSite(SQLModel, table=True):
    """A site allowed to submit."""

    __tablename__ = "intake_sites"

    site_id: str = Field(primary_key=True, max_length=8, description="the manifest's site_id")
    name: str = Field(max_length=120, description="the site's name, for the center's pages")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    active: bool = Field(default=True, description="false: the site may no longer submit")


class IntakeUser(SQLModel, table=True):
    """A person who signs in: a site's submitter (bound to one site) or a center analyst."""

    __tablename__ = "intake_users"

    user_name: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=20, description="site_submitter or center_analyst")
    site_id: str | None = Field(
        default=None,
        foreign_key="intake_sites.site_id",
        max_length=8,
        description="the submitter's site; null for the center",
    )
    password_hash: str = Field(
        sa_type=Text, description="argon2id (argon2-cffi), never the password"
    )
    totp_secret: str | None = Field(
        default=None, max_length=64, description="RFC 6238 shared secret, when enabled"
    )
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class IntakeToken(SQLModel, table=True):
    """A pipeline's bearer token: bound to one site, with an expiry, revocable."""

    __tablename__ = "intake_tokens"

    token_id: str = Field(
        primary_key=True, max_length=16, description="public part, shown in lists"
    )
    site_id: str = Field(foreign_key="intake_sites.site_id", index=True, max_length=8)
    digest: str = Field(
        max_length=64, unique=True, description="SHA-256 of the token (256 random bits)"
    )
    label: str = Field(max_length=120, description="what the token is for")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_used_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class IntakeEvent(SQLModel, table=True):
    """The service's audit trail: who (user, token or the administrator), from where, what,
    when and the result. Never a password, a token, a cookie or a submitted value."""

    __tablename__ = "intake_events"

    event_id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=80, description="user:NAME, token:ID or admin")
    client: str | None = Field(default=None, max_length=64, description="address, or cli")
    action: str = Field(max_length=40)
    target: str | None = Field(default=None, max_length=120, description="what was acted on")
    result: str = Field(max_length=40)


#: A submission's states (intake.md, "Submissions"); the last five are final.
STATES = (
    "received",
    "validating",
    "accepted",
    "loading",
    "needs-confirmation",
    "loaded",
    "rejected",
    "refused",
    "withdrawn",
)
#: States a worker was in the middle of: a service killed there takes them up again.
IN_PROGRESS = ("validating", "loading")


class IntakeSubmission(SQLModel, table=True):
    """A file a site sent, and where it stands; the file itself is kept on disk (``path``)
    until the retention period after a final state."""

    __tablename__ = "intake_submissions"
    __table_args__ = (UniqueConstraint("site_id", "sha256"),)  # the same file: one submission

    submission_id: str = Field(primary_key=True, max_length=36)
    site_id: str = Field(foreign_key="intake_sites.site_id", index=True, max_length=8)
    sha256: str = Field(max_length=64, description="of the uploaded file")
    state: str = Field(index=True, max_length=20, description="one of STATES")
    path: str = Field(sa_type=Text, description="the uploaded file on the service's disk")
    sender: str = Field(max_length=80, description="user:NAME or token:ID")
    received_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    claimed_by: str | None = Field(default=None, max_length=80, description="the worker on it")
    claimed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    attempts: int = Field(default=0, description="times a worker took it up")
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    errors: int | None = Field(default=None)
    warnings: int | None = Field(default=None)
    records: int | None = Field(default=None)
    message: str | None = Field(default=None, sa_type=Text, description="one line, no values")
    allow_removal: bool = Field(
        default=False, description="a person of the site confirmed the records it removes"
    )
    report_json: str | None = Field(
        default=None, sa_type=Text, description="the validation report (JSON contract)"
    )
    report_html: str | None = Field(default=None, sa_type=Text, description="the report page")
    changes_json: str | None = Field(
        default=None, sa_type=Text, description="added, changed, unchanged, removed per table"
    )
    file_deleted_at: dt.datetime | None = Field(
        default=None, sa_type=DateTime(timezone=True), description="end of the retention"
    )


class IntakeSession(SQLModel, table=True):
    """A signed-in browser: the cookie is kept only as its SHA-256; expires when idle and
    absolutely (sessions.py); ended on the server at sign-out."""

    __tablename__ = "intake_sessions"

    digest: str = Field(primary_key=True, max_length=64, description="SHA-256 of the cookie")
    user_name: str = Field(foreign_key="intake_users.user_name", max_length=64)
    csrf: str = Field(max_length=64, description="the session's token for its forms")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    seen_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    ended_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
