"""The intake service's audit trail (intake.md: "Every action is in the audit trail: who,
from where, what, when, result"), written in the caller's transaction so that an action and
its record are one. Never a password, a token, a cookie or a value from a submission."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from registry.database.intake_tables import IntakeEvent

__all__ = ["record"]


def record(
    session: Session,
    actor: str,
    action: str,
    target: str | None,
    result: str,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    session.add(
        IntakeEvent(
            at=at or dt.datetime.now(dt.UTC),
            actor=actor,
            client=client,
            action=action,
            target=target,
            result=result,
        )
    )
