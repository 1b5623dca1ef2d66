"""What a worker does with a submission it has claimed (intake.md, "Submissions"):
``validating`` runs the validator and moves it to ``accepted`` or ``rejected`` (also when its
manifest names another site than the sender's: the ``site-not-sender`` finding);
``loading`` runs the load (all or nothing, as ``vte-registry load``) and moves it to
``loaded``, ``needs-confirmation`` (it would remove records and nobody of the site confirmed
that yet) or ``refused`` (the load guard's other refusals). Workers are processes that import
the validator once and then take submission after submission (``work``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from registry.database.intake_tables import IntakeSubmission
from registry.intake.audit import record
from registry.intake.queue import claim, finish

__all__ = ["RETENTION_DAYS", "process_next", "sweep", "work", "worker_name"]

log = logging.getLogger("registry.intake")

#: Days an uploaded file is kept after its submission is final (intake.md; the center sets it).
RETENTION_DAYS = 30


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _report_texts(report: Any) -> dict[str, Any]:
    from registry.validation.report_html import render_html

    return {
        "report_json": json.dumps(report.to_dict()),
        "report_html": render_html(report),
        "errors": report.errors,
        "warnings": report.warnings,
        "records": sum(report.tables.values()),
    }


def _validate(engine: Engine, taken: IntakeSubmission, worker: str) -> str:
    from registry.validation.findings import finding
    from registry.validation.inventory import UnusableInput
    from registry.validation.validate import validate_submission

    try:
        report = validate_submission(taken.path)
    except UnusableInput as exc:
        finish(engine, taken.submission_id, worker, "rejected", message=str(exc), errors=1)
        return "rejected"
    foreign = report.site_id is not None and report.site_id != taken.site_id
    if foreign:
        # before the rest: the one finding that decides, first in the report
        report.findings.insert(
            0,
            finding(
                "site-not-sender",
                f"the manifest's site_id is {report.site_id}, but the submission was sent "
                f"for {taken.site_id}; a site submits for itself only",
                table="manifest",
                field="site_id",
            ),
        )
        log.warning("submission %s: manifest of another site (audited)", taken.submission_id)
        with Session(engine) as session, session.begin():
            record(session, taken.sender, "site-not-sender", taken.submission_id, "rejected")
    state = "accepted" if report.ok else "rejected"
    message = (
        "no errors: to be loaded"
        if report.ok
        else f"{report.errors:,} errors: nothing will be loaded; fix them and submit again"
    )
    texts = _report_texts(report)
    finish(engine, taken.submission_id, worker, state, message=message, **texts)
    return state


def _load(engine: Engine, taken: IntakeSubmission, worker: str) -> str:
    from registry.database.loading import LoadError, LoadRefused, load_submission
    from registry.validation.inventory import UnusableInput

    try:
        result = load_submission(taken.path, engine=engine, allow_removal=taken.allow_removal)
    except LoadRefused as exc:
        changes = json.dumps(exc.changes.to_dict())
        finish(
            engine,
            taken.submission_id,
            worker,
            "needs-confirmation",
            message=f"{exc.effect}: a person of the site must confirm that these records "
            "were deleted",
            changes_json=changes,
        )
        return "needs-confirmation"
    except (LoadError, UnusableInput) as exc:
        finish(engine, taken.submission_id, worker, "refused", message=str(exc))
        return "refused"
    if result.outcome == "rejected":
        finish(
            engine,
            taken.submission_id,
            worker,
            "rejected",
            message=result.message,
            **_report_texts(result.report),
        )
        return "rejected"
    loaded = json.dumps(result.changes.to_dict()) if result.changes is not None else None
    finish(
        engine, taken.submission_id, worker, "loaded", message=result.message, changes_json=loaded
    )
    return "loaded"


def process_next(engine: Engine, worker: str) -> tuple[str, str] | None:
    """Claim the oldest waiting submission and take it one step on; (id, new state), or
    None when nothing waits."""
    taken = claim(engine, worker)
    if taken is None:
        return None
    step: Callable[[Engine, IntakeSubmission, str], str] = (
        _validate if taken.state == "validating" else _load
    )
    try:
        state = step(engine, taken, worker)
    except Exception as exc:  # a defect of ours: the submission ends, its cause in the log
        # the type only: an exception's text may quote a submitted value
        log.exception("submission %s: %s", taken.submission_id, type(exc).__name__)
        finish(
            engine,
            taken.submission_id,
            worker,
            "refused",
            message=f"the service failed on this submission ({type(exc).__name__}); "
            "the center has been told",
        )
        state = "refused"
    return taken.submission_id, state


def sweep(engine: Engine, days: int = RETENTION_DAYS, now: dt.datetime | None = None) -> int:
    """Delete the uploaded files of final submissions older than the retention period (the
    SHA-256 and the report stay); how many."""
    now = now or dt.datetime.now(dt.UTC)
    before = now - dt.timedelta(days=days)
    with Session(engine) as session:
        due = session.exec(
            select(IntakeSubmission.submission_id, IntakeSubmission.path)
            .where(col(IntakeSubmission.state).in_(("loaded", "rejected", "refused", "withdrawn")))
            .where(col(IntakeSubmission.finished_at) <= before)
            .where(col(IntakeSubmission.file_deleted_at).is_(None))
        ).all()
    for submission_id, path in due:
        Path(path).unlink(missing_ok=True)
        with Session(engine) as session, session.begin():
            session.execute(
                update(IntakeSubmission)
                .where(col(IntakeSubmission.submission_id) == submission_id)
                .values(file_deleted_at=now)
            )
    return len(due)


def waiting(engine: Engine) -> bool:
    """Whether a submission waits for a worker: a read, without the write lock that claiming
    takes on SQLite, so that idle workers can look often."""
    from registry.database.store import reading

    with Session(reading(engine)) as session:
        found = session.exec(
            select(IntakeSubmission.submission_id)
            .where(col(IntakeSubmission.state).in_(("received", "accepted")))
            .limit(1)
        ).first()
    return found is not None


def work(
    url: str, stop: Any, wake: Any, retention_days: int = RETENTION_DAYS, idle: float = 1.0
) -> None:
    """A worker process: import the validator and the loader once, then take submissions
    until ``stop`` is set or the service that started it is gone. ``wake`` is set by the
    service when a submission arrives or is confirmed; without it a worker looks once every
    ``idle`` seconds (what another process queued, what a restart left)."""
    import registry.database.loading
    import registry.validation.validate  # noqa: F401 (imported once, kept warm)
    from registry.database.store import make_engine

    parent = os.getppid()
    engine = make_engine(url)
    name = worker_name()
    last_sweep = 0.0
    while not stop.is_set() and os.getppid() == parent:
        try:
            if time.monotonic() - last_sweep > 3600:
                sweep(engine, retention_days)
                last_sweep = time.monotonic()
            wake.clear()  # before looking: a submission that arrives after it wakes us again
            if not waiting(engine) or process_next(engine, name) is None:
                wake.wait(idle)
        except DBAPIError as exc:  # the database went away for a moment: try again
            log.warning("worker %s: database error %s; retrying", name, type(exc).__name__)
            stop.wait(2.0)
    engine.dispose()
