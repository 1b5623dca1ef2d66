"""A load's outcome and the load guard's checks of the order of submissions: the same
submission again, an older one than the site's latest; and the lock that serializes loads
of one site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, text

from registry.database.changes import Changes
from registry.database.store import AUDIT, as_utc
from registry.models import Manifest

__all__ = ["LoadError", "LoadRefused", "LoadResult", "check_newer", "lock_site", "previous"]


class LoadError(Exception):
    """A load that was refused; nothing was written. The message says why."""


class LoadRefused(LoadError):
    """The load would remove records and that was not allowed; ``changes`` says which,
    ``effect`` what the load would do (the message without its advice to the command line)."""

    def __init__(self, message: str, changes: Changes, effect: str = "") -> None:
        super().__init__(message)
        self.changes = changes
        self.effect = effect or message

    def __reduce__(self) -> tuple[Any, ...]:  # from the writer process, with its changes
        return (type(self), (str(self), self.changes, self.effect))


@dataclass
class LoadResult:
    outcome: str  # loaded | replaced | unchanged | rejected | dry-run
    report: Any
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    changes: Changes | None = None


def lock_site(connection: Connection, site_id: str) -> None:
    """Serialize loads of one site (PostgreSQL); SQLite locks the whole database anyway."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:site))"),
            {"site": f"vte-registry:{site_id}"},
        )


def previous(
    connection: Connection,
    manifest: Manifest,
    hashes: str,
    report: Any,
) -> LoadResult | None:
    """The answer when this submission_id was loaded before (None when it was not)."""
    audit = AUDIT
    previous = (
        connection.execute(
            select(audit).where(audit.c.submission_id == str(manifest.submission_id))
        )
        .mappings()
        .first()
    )
    if previous is None:
        return None
    if previous["file_sha256"] != hashes:
        raise LoadError(
            f"submission_id {manifest.submission_id} was already loaded "
            "with other files; give a new submission a new submission_id"
        )
    newer = connection.execute(
        select(audit.c.submission_id, audit.c.created_at)
        .where(audit.c.site_id == manifest.site_id, audit.c.loaded_at > previous["loaded_at"])
        .order_by(audit.c.loaded_at.desc())
        .limit(1)
    ).first()
    if newer is not None:
        raise LoadError(
            f"submission {manifest.submission_id} was loaded on "
            f"{as_utc(previous['loaded_at']):%Y-%m-%d %H:%M} UTC and has since been replaced "
            f"by submission {newer.submission_id} (created {as_utc(newer.created_at).isoformat()})"
            "; nothing changed (an older submission cannot replace a newer one)"
        )
    return LoadResult(
        "unchanged",
        report,
        f"submission {manifest.submission_id} is already "
        "loaded and is the site's latest; nothing changed",
    )


def check_newer(connection: Connection, manifest: Manifest) -> bool:
    """True when the site has loaded submissions; LoadError when one of them is newer."""
    audit = AUDIT
    latest = connection.execute(
        select(audit.c.submission_id, audit.c.created_at)
        .where(audit.c.site_id == manifest.site_id)
        .order_by(audit.c.created_at.desc())
        .limit(1)
    ).first()
    if latest is None:
        return False
    if as_utc(latest.created_at) > manifest.created_at_utc:
        raise LoadError(
            f"submission {manifest.submission_id} was created "
            f"{manifest.created_at_utc.isoformat()}, before submission {latest.submission_id} "
            f"of {manifest.site_id} already loaded (created "
            f"{as_utc(latest.created_at).isoformat()}): an older submission cannot replace a "
            "newer one"
        )
    return True
