"""A submission through the service, by its states (intake.md, "Submissions"): accepted and
loaded; rejected with its report; a manifest of another site rejected and audited; a load
that removes records waiting for a person's confirmation, then loaded or withdrawn; an older
submission refused; too large refused at once; the same file one submission; retention; and
nothing secret or submitted in the logs. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import col

from registry.database.intake_tables import IntakeEvent
from registry.database.store import AUDIT
from registry.intake import accounts, sessions
from registry.intake.app import create_app
from registry.intake.callers import COOKIE
from registry.intake.processing import process_next, sweep
from registry.synthetic import synthesize
from tests.conftest import Database
from tests.intake.conftest import DB_KINDS, PASSWORD, zipped
from tests.test_load_guard import _resubmit, _without_patients


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Cohorts:
    clean: Path
    fewer: Path  # newer, with patients removed
    older: Path  # created before clean
    defects: Path
    other_site: Path


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory: pytest.TempPathFactory) -> Cohorts:
    base = tmp_path_factory.mktemp("intake-cohorts")
    clean = synthesize(base / "clean", 40, seed=5, site="SITE1").folder
    gone = {line.split(",")[0] for line in (clean / "patients.csv").read_text().splitlines()[1:4]}
    fewer = _resubmit(_without_patients(clean, base / "without", gone), base / "fewer", _now())
    made = dt.datetime.fromisoformat(
        json.loads((clean / "manifest.json").read_text())["created_at"]
    )
    older = _resubmit(clean, base / "older", (made - dt.timedelta(minutes=1)).isoformat())
    defects = synthesize(base / "defects", 40, seed=6, site="SITE1", defects=0.1).folder
    other = synthesize(base / "other", 20, seed=7, site="SITE2").folder
    return Cohorts(*(zipped(f) for f in (clean, fewer, older, defects, other)))


@dataclass
class Running:
    db: Database
    client: TestClient
    token: str
    data: Path

    def post(self, archive: Path) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/submissions",
            content=archive.read_bytes(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/zip"},
        )
        assert response.status_code in (200, 202), response.text
        return dict(response.json())

    def get(self, submission_id: str, suffix: str = "") -> dict[str, Any]:
        response = self.client.get(
            f"/api/v1/submissions/{submission_id}{suffix}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def run(self) -> list[tuple[str, str]]:
        """Let a worker take every step that waits."""
        steps = []
        while (step := process_next(self.db.engine, "test-worker")) is not None:
            steps.append(step)
        return steps


@pytest.fixture
def running(db: Database, tmp_path: Path) -> Iterator[Running]:
    issued = accounts.issue_token(db.engine, "SITE1", "pipeline")
    with TestClient(create_app(db.engine, tmp_path / "data", max_upload_bytes=2_000_000)) as c:
        yield Running(db, c, issued.token, tmp_path / "data")


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_clean_submission_is_accepted_then_loaded(running: Running, cohorts: Cohorts) -> None:
    sent = running.post(cohorts.clean)
    assert sent["state"] == "received"
    again = running.post(cohorts.clean)  # the same file: the same submission, no second job
    assert again["id"] == sent["id"]
    steps = running.run()
    assert steps == [(sent["id"], "accepted"), (sent["id"], "loaded")]
    state = running.get(str(sent["id"]))
    assert state["state"] == "loaded" and state["errors"] == 0 and state["records"]
    with running.db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(AUDIT)).scalar_one() == 1
    report = running.get(str(sent["id"]), "/report")
    assert report["submission"]["site_id"] == "SITE1"


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_errors_reject_it_with_its_report(running: Running, cohorts: Cohorts) -> None:
    sent = running.post(cohorts.defects)
    assert running.run() == [(sent["id"], "rejected")]
    state = running.get(str(sent["id"]))
    report = running.get(str(sent["id"]), "/report")
    assert state["errors"] == report["summary"]["errors"] > 0
    with running.db.engine.connect() as connection:  # nothing loaded
        assert connection.execute(select(func.count()).select_from(AUDIT)).scalar_one() == 0


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_another_sites_manifest_is_rejected_and_audited(running: Running, cohorts: Cohorts) -> None:
    sent = running.post(cohorts.other_site)  # SITE1's token, SITE2's manifest
    assert running.run() == [(sent["id"], "rejected")]
    report = running.get(str(sent["id"]), "/report")
    first = report["findings"][0]
    assert (first["rule"], first["field"], first["severity"]) == (
        "site-not-sender",
        "site_id",
        "error",
    )
    with running.db.engine.connect() as connection:
        audited = connection.execute(
            select(col(IntakeEvent.actor)).where(col(IntakeEvent.action) == "site-not-sender")
        ).all()
        assert len(audited) == 1 and audited[0][0].startswith("token:")
        assert connection.execute(select(func.count()).select_from(AUDIT)).scalar_one() == 0


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
@pytest.mark.parametrize("decision", ["confirm", "withdraw"])
def test_a_removal_waits_for_a_person_of_the_site(
    running: Running, cohorts: Cohorts, decision: str
) -> None:
    running.post(cohorts.clean)
    running.run()
    sent = running.post(cohorts.fewer)
    assert running.run() == [(sent["id"], "accepted"), (sent["id"], "needs-confirmation")]
    # the page shows what would go, and the form
    cookie = sessions.start(running.db.engine, _submitter(running))
    running.client.cookies.set(COOKIE, cookie)
    page = running.client.get(f"/submissions/{sent['id']}")
    assert "Confirm and load" in page.text and 'class="removes"' in page.text
    signed = sessions.look_up(running.db.engine, cookie)
    assert signed is not None
    answer = running.client.post(
        f"/submissions/{sent['id']}/{decision}", data={"csrf": signed.csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    running.client.cookies.clear()
    steps = running.run()
    with running.db.engine.connect() as connection:
        loads = connection.execute(select(func.count()).select_from(AUDIT)).scalar_one()
        patients = connection.execute(text("SELECT count(*) FROM patients")).scalar_one()
    if decision == "confirm":
        assert steps == [(sent["id"], "loaded")]
        assert (loads, patients) == (2, 37)
    else:
        assert steps == [] and running.get(str(sent["id"]))["state"] == "withdrawn"
        assert (loads, patients) == (1, 40)


def _submitter(running: Running) -> str:
    with contextlib.suppress(accounts.AccountError):
        accounts.add_user(
            running.db.engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1"
        )
    return "dm.site1"


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_an_older_submission_is_refused(running: Running, cohorts: Cohorts) -> None:
    running.post(cohorts.clean)
    running.run()
    sent = running.post(cohorts.older)
    assert running.run() == [(sent["id"], "accepted"), (sent["id"], "refused")]
    assert "older submission cannot replace" in str(running.get(str(sent["id"]))["message"])


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_too_large_is_413_at_once_and_leaves_nothing(running: Running, tmp_path: Path) -> None:
    big = b"PK" + b"\0" * 2_500_000
    headers = {"Authorization": f"Bearer {running.token}", "Content-Type": "application/zip"}
    declared = running.client.post("/api/v1/submissions", content=big, headers=headers)
    assert declared.status_code == 413
    assert declared.json()["title"] == "too large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: stopped while it streams
        for _ in range(30):
            yield b"\0" * 100_000

    streamed = running.client.post("/api/v1/submissions", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    leftovers = [p for p in running.data.rglob("*") if p.is_file()]
    assert leftovers == []


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_uploads_are_deleted_after_the_retention_but_the_report_stays(
    running: Running, cohorts: Cohorts
) -> None:
    sent = running.post(cohorts.defects)
    running.run()
    files = [p for p in running.data.rglob("*.zip")]
    assert len(files) == 1
    assert sweep(running.db.engine, 30) == 0  # within the retention: kept
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert sweep(running.db.engine, 30, now=later) == 1
    assert not files[0].exists()
    assert running.get(str(sent["id"]), "/report")["summary"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_logs_hold_no_secret_and_no_submitted_value(
    running: Running, cohorts: Cohorts, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    _submitter(running)
    form = running.client.get("/signin")
    token = form.cookies.get("vte_signin") or running.client.cookies.get("vte_signin")
    assert token
    signed_in = running.client.post(
        "/signin",
        data={"form_token": token, "user_name": "dm.site1", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    cookie = signed_in.cookies.get(COOKIE) or running.client.cookies.get(COOKIE)
    running.client.cookies.clear()
    sent = running.post(cohorts.other_site)
    running.run()
    folder = tmp_path / "values"
    with zipfile.ZipFile(cohorts.other_site) as archive:
        archive.extractall(folder)
    patient = json.loads((folder / "manifest.json").read_text())["site_id"]
    first_id = (folder / "patients.csv").read_text().splitlines()[1].split(",")[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert str(sent["id"]) in logged  # the log does speak of the submission
    for secret in (running.token, running.token.split("_")[-1], PASSWORD, str(cookie), first_id):
        assert secret not in logged
    assert patient == "SITE2"
    shutil.rmtree(folder)
