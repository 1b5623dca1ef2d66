"""The intake service's submissions as a durable queue (intake.md, "Submissions"): every state
in the database, the same file received twice one submission, a submission taken up by one
worker at a time (PostgreSQL: row locks that skip locked rows; SQLite: one writer at a time,
its ``BEGIN IMMEDIATE``), and a service killed in the middle of one taking it up again."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from registry.database.intake_tables import IN_PROGRESS, STATES, IntakeSubmission
from registry.intake.audit import record

__all__ = ["Received", "claim", "decide", "finish", "receive", "recover"]

#: Where a worker takes a submission from, and what it makes of it.
_NEXT = {"received": "validating", "accepted": "loading"}
_FINAL = ("loaded", "rejected", "refused", "withdrawn")


@dataclass(frozen=True)
class Received:
    submission_id: str
    state: str
    created: bool  # False: the same file was received before (no second job)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _updated(session: Session, statement: Any) -> int:
    """Rows an UPDATE changed (the result of an UPDATE is a cursor's)."""
    return int(cast("CursorResult[Any]", session.execute(statement)).rowcount)


def receive(
    engine: Engine, site_id: str, sha256: str, path: str, sender: str, client: str | None = None
) -> Received:
    """Record a file that arrived for ``site_id`` (its SHA-256 computed while it streamed)."""
    with Session(engine) as session, session.begin():
        known = session.exec(
            select(IntakeSubmission).where(
                col(IntakeSubmission.site_id) == site_id, col(IntakeSubmission.sha256) == sha256
            )
        ).first()
        if known is not None:
            record(session, sender, "receive", known.submission_id, "same file", client)
            return Received(known.submission_id, known.state, False)
        submission_id = str(uuid.uuid4())
        session.add(
            IntakeSubmission(
                submission_id=submission_id,
                site_id=site_id,
                sha256=sha256,
                state="received",
                path=path,
                sender=sender,
                received_at=_now(),
            )
        )
        record(session, sender, "receive", submission_id, "received", client)
    return Received(submission_id, "received", True)


def claim(engine: Engine, worker: str) -> IntakeSubmission | None:
    """Take up the oldest submission waiting for a worker, moving it to its working state
    (received -> validating, accepted -> loading); None when none waits."""
    # SQLite: the registry's engine begins every transaction IMMEDIATE (store.py), so
    # claimers queue for the write lock; PostgreSQL: the row is locked, others skip it
    with Session(engine) as session, session.begin():
        query = (
            select(IntakeSubmission)
            .where(col(IntakeSubmission.state).in_(tuple(_NEXT)))
            .order_by(col(IntakeSubmission.received_at), col(IntakeSubmission.submission_id))
            .limit(1)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        taken = session.exec(query).first()
        if taken is None:
            return None
        taken.state = _NEXT[taken.state]
        taken.claimed_by, taken.claimed_at = worker, _now()
        taken.attempts += 1
        session.flush()
        session.expunge(taken)
    return taken


def finish(
    engine: Engine,
    submission_id: str,
    worker: str,
    state: str,
    *,
    errors: int | None = None,
    warnings: int | None = None,
    records: int | None = None,
    message: str | None = None,
    report_json: str | None = None,
    report_html: str | None = None,
    changes_json: str | None = None,
) -> bool:
    """Move a submission on from its working state, with what the step found (its report,
    the changes of a load); False (nothing written) when ``worker`` no longer holds it
    (another took it up after a restart)."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    values: dict[str, object] = {"state": state, "claimed_by": None, "claimed_at": None}
    if state in _FINAL or state == "needs-confirmation":
        values["finished_at"] = _now()
    for name, value in (
        ("errors", errors),
        ("warnings", warnings),
        ("records", records),
        ("report_json", report_json),
        ("report_html", report_html),
        ("changes_json", changes_json),
    ):
        if value is not None:
            values[name] = value
    if message is not None:
        values["message"] = message[:500]
    with Session(engine) as session, session.begin():
        ok = bool(
            _updated(
                session,
                update(IntakeSubmission)
                .where(col(IntakeSubmission.submission_id) == submission_id)
                .where(col(IntakeSubmission.claimed_by) == worker)
                .where(col(IntakeSubmission.state).in_(IN_PROGRESS))
                .values(**values),
            )
        )
        record(session, f"worker:{worker}", "finish", submission_id, state if ok else "not held")
    return ok


def recover(engine: Engine) -> int:
    """At start-up: every submission a worker was in the middle of goes back to wait for a
    worker (validating -> received, loading -> accepted; a load is all or nothing, so taking
    it up again is safe). Returns how many."""
    back = {"validating": "received", "loading": "accepted"}
    moved = 0
    with Session(engine) as session, session.begin():
        for working, waiting in back.items():
            moved += _updated(
                session,
                update(IntakeSubmission)
                .where(col(IntakeSubmission.state) == working)
                .values(state=waiting, claimed_by=None, claimed_at=None),
            )
        if moved:
            record(session, "service", "recover", f"{moved} submissions", "requeued")
    return moved


def decide(
    engine: Engine, submission_id: str, actor: str, confirm: bool, client: str | None = None
) -> bool:
    """A person of the site answers a submission that needs confirmation: confirmed, it
    waits for a worker to load it with its removals; withdrawn, it ends. False when the
    submission does not (or no longer) need confirmation."""
    values: dict[str, object] = (
        {"state": "accepted", "allow_removal": True, "finished_at": None}
        if confirm
        else {"state": "withdrawn", "finished_at": _now()}
    )
    action = "confirm" if confirm else "withdraw"
    with Session(engine) as session, session.begin():
        ok = bool(
            _updated(
                session,
                update(IntakeSubmission)
                .where(col(IntakeSubmission.submission_id) == submission_id)
                .where(col(IntakeSubmission.state) == "needs-confirmation")
                .values(**values),
            )
        )
        record(session, actor, action, submission_id, "ok" if ok else "not waiting", client)
    return ok
