"""The service killed (SIGKILL, with its workers) during an upload, a validation and a load,
then started again (intake.md, "Processing is durable"): every submission ends in a final
state, nothing is lost, nothing is loaded twice, and the registry holds exactly what the
accepted submission says."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from registry.database.store import AUDIT, make_engine, upgrade
from registry.intake import accounts
from registry.synthetic import synthesize
from tests.conftest import Database
from tests.intake.conftest import zipped
from tests.intake.live import start

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A submission that takes a few seconds to validate and to load."""
    base = tmp_path_factory.mktemp("kill-cohort")
    folder = synthesize(base / "sub", 2500, seed=11, site="SITE1").folder
    archive = zipped(folder)
    patients = len((folder / "patients.csv").read_text().splitlines()) - 1
    return archive, patients


@pytest.fixture
def prepared(db: Database) -> Iterator[tuple[Database, str]]:
    upgrade(db.engine)
    token = accounts.issue_token(db.engine, "SITE1", "kill test").token
    yield db, token


def _state(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        return [
            (str(a), str(b))
            for a, b in connection.execute(
                text("SELECT submission_id, state FROM intake_submissions")
            )
        ]


def _wait_for(db: Database, states: tuple[str, ...], timeout: float = 120) -> list[tuple[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _state(db)
        if rows and all(state in states for _, state in rows):
            return rows
        time.sleep(0.02)
    raise AssertionError(f"not {states} within {timeout} s: {_state(db)}")


def _loaded(db: Database) -> tuple[int, int]:
    engine = make_engine(db.url)
    with engine.connect() as connection:
        loads = connection.execute(select(func.count()).select_from(AUDIT)).scalar_one()
        patients = connection.execute(text("SELECT count(*) FROM patients")).scalar_one()
    engine.dispose()
    return int(loads), int(patients)


def _post(url: str, token: str, body: bytes | Iterator[bytes]) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/submissions",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip"},
        timeout=120,
    )


# the load is what a kill could leave half done: on both databases; the validation (which
# writes nothing of the registry) on SQLite
KILLS = [
    pytest.param("sqlite", "validating", id="validating-sqlite"),
    pytest.param("sqlite", "loading", id="loading-sqlite"),
    pytest.param("postgres", "loading", id="loading-postgres", marks=pytest.mark.postgres),
]


@pytest.mark.parametrize(("db", "during"), KILLS, indirect=["db"])
def test_killed_while_working_it_resumes_and_loads_once(
    prepared: tuple[Database, str], big: tuple[Path, int], tmp_path: Path, during: str
) -> None:
    db, token = prepared
    archive, patients = big
    live = start(db.url, tmp_path / "data")
    try:
        assert _post(live.url, token, archive.read_bytes()).status_code == 202
        _wait_for(db, (during,))
        live.kill()
        assert [state for _, state in _state(db)] == [during]  # where the kill left it
    finally:
        live.stop()
    again = start(db.url, tmp_path / "data")
    try:
        rows = _wait_for(db, ("loaded", "rejected", "refused", "needs-confirmation"))
        assert [state for _, state in rows] == ["loaded"]
        assert _loaded(db) == (1, patients)
        # the file was kept for the retention, and the same file again changes nothing
        again_sent = _post(again.url, token, archive.read_bytes())
        assert again_sent.status_code == 200
    finally:
        again.stop()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_killed_during_an_upload_nothing_is_received_and_nothing_left(
    prepared: tuple[Database, str], big: tuple[Path, int], tmp_path: Path
) -> None:
    import threading

    db, token = prepared
    archive, _ = big
    live = start(db.url, tmp_path / "data")
    started = threading.Event()

    def slow() -> Iterator[bytes]:
        data = archive.read_bytes()
        for i in range(0, len(data), 65536):
            started.set()
            time.sleep(0.05)
            yield data[i : i + 65536]

    def send() -> None:
        with contextlib.suppress(httpx.TransportError):  # the service dies under it
            _post(live.url, token, slow())

    sender = threading.Thread(target=send)
    sender.start()
    try:
        assert started.wait(30)
        time.sleep(0.5)
        assert list((tmp_path / "data").rglob("*.part"))  # half an upload on disk
        live.kill()
    finally:
        sender.join(60)
        live.stop()
    assert _state(db) == []  # never received: the site's client sees the failure and retries
    again = start(db.url, tmp_path / "data")
    try:
        assert not list((tmp_path / "data").rglob("*.part"))  # the half upload is gone
        assert _post(again.url, token, archive.read_bytes()).status_code == 202
        rows = _wait_for(db, ("loaded",))
        assert len(rows) == 1
    finally:
        again.stop()
