"""Loading: all or nothing, idempotent, site by site, audited; faults leave no trace."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from registry.cli import INTERRUPTED
from registry.database.loading import load_submission
from registry.database.store import SubmissionAudit
from registry.models import TABLES
from registry.synthetic import synthesize
from tests.conftest import Database

DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("subs")
    out = {
        "a1": synthesize(base / "a1", 120, seed=1, site="SITEA").folder,
        "a2": synthesize(base / "a2", 150, seed=2, site="SITEA").folder,
        "b1": synthesize(base / "b1", 90, seed=3, site="SITEB").folder,
        "bad": synthesize(base / "bad", 200, seed=4, site="SITEA", defects=0.02).folder,
        "big": synthesize(base / "big", 4000, seed=5, site="SITEA").folder,
    }
    return out


def _state(engine: Engine) -> dict[str, object]:
    """Everything in the database, comparable: rows per table, their checksum, the audit."""
    out: dict[str, object] = {}
    with engine.connect() as connection:
        for spec in (*TABLES,):
            table = spec.table.__table__  # type: ignore[attr-defined]
            if not engine.dialect.has_table(connection, table.name):
                out[spec.name] = None
                continue
            rows = connection.execute(select(table).order_by(table.c[spec.id_field])).all()
            out[spec.name] = (len(rows), hash(tuple(tuple(map(str, r)) for r in rows)))
        audit = SubmissionAudit.__table__  # type: ignore[attr-defined]
        if engine.dialect.has_table(connection, "submissions"):
            out["submissions"] = sorted(
                (r.submission_id, r.outcome) for r in connection.execute(select(audit))
            )
    return out


def _count(engine: Engine, table: str, site: str | None = None) -> int:
    spec = next(s for s in TABLES if s.name == table)
    t = spec.table.__table__  # type: ignore[attr-defined]
    query = select(func.count()).select_from(t)
    if site:
        query = query.where(t.c.patient_id.like(f"{site}-%"))
    with engine.connect() as connection:
        return connection.execute(query).scalar() or 0


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_load_replace_idempotent_and_audited(db: Database, submissions: dict[str, Path]) -> None:
    first = load_submission(submissions["a1"], db.url)
    assert first.outcome == "loaded"
    assert _count(db.engine, "patients", "SITEA") == 120
    assert load_submission(submissions["b1"], db.url).outcome == "loaded"
    before_b = {t.name: _count(db.engine, t.name, "SITEB") for t in TABLES}
    again = load_submission(submissions["a1"], db.url)
    assert again.outcome == "unchanged"
    newer = load_submission(submissions["a2"], db.url, allow_removal=True)
    assert newer.outcome == "replaced"
    assert _count(db.engine, "patients", "SITEA") == 150
    assert {t.name: _count(db.engine, t.name, "SITEB") for t in TABLES} == before_b
    with db.engine.connect() as connection:
        audit = connection.execute(select(SubmissionAudit.__table__)).mappings().all()  # type: ignore[attr-defined]
    assert [a["outcome"] for a in audit] == ["loaded", "loaded", "replaced"]
    last = audit[-1]
    hashes = json.loads(last["file_sha256"])
    assert set(hashes) >= {"manifest.json", "patients.csv", "vte_events.csv"}
    assert all(len(h) == 64 for h in hashes.values())
    assert json.loads(last["row_counts"])["patients"] == 150
    assert last["package_version"]
    assert last["schema_version"] == "1.1"
    changes = json.loads(last["changes"])
    assert changes["patients"] == {"added": 150, "changed": 0, "unchanged": 0, "removed": 120}


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_submission_with_errors_writes_nothing(db: Database, submissions: dict[str, Path]) -> None:
    load_submission(submissions["b1"], db.url)
    before = _state(db.engine)
    result = load_submission(submissions["bad"], db.url)
    assert result.outcome == "rejected" and result.report.errors > 0
    assert _state(db.engine) == before


def test_a_record_of_another_site_is_refused(
    sqlite_db: Database, tmp_path: Path, submissions: dict[str, Path]
) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(submissions["a1"], mixed)
    other = (submissions["b1"] / "patients.csv").read_text().splitlines()[1]
    with (mixed / "patients.csv").open("a") as handle:
        handle.write(other + "\n")
    result = load_submission(mixed, sqlite_db.url)
    assert result.outcome == "rejected"
    assert any(f.rule == "site-mismatch" for f in result.report.findings)
    assert _state(sqlite_db.engine).get("submissions") in (None, [])


def test_reused_submission_id_and_older_submission(
    sqlite_db: Database, tmp_path: Path, submissions: dict[str, Path]
) -> None:
    from registry.database.loading import LoadError

    load_submission(submissions["a2"], sqlite_db.url)
    same_id = tmp_path / "same-id"
    shutil.copytree(submissions["a1"], same_id)
    manifest = json.loads((submissions["a2"] / "manifest.json").read_text())
    own = json.loads((same_id / "manifest.json").read_text())
    own["submission_id"] = manifest["submission_id"]
    (same_id / "manifest.json").write_text(json.dumps(own))
    with pytest.raises(LoadError, match="already loaded with other files"):
        load_submission(same_id, sqlite_db.url)
    older = tmp_path / "older"
    shutil.copytree(submissions["a1"], older)
    own = json.loads((older / "manifest.json").read_text())
    own["created_at"] = "2026-01-01T05:00:00+00:00"  # an hour before a2
    (older / "manifest.json").write_text(json.dumps(own))
    with pytest.raises(LoadError, match="an older submission cannot replace a newer one"):
        load_submission(older, sqlite_db.url)
    assert _count(sqlite_db.engine, "patients") == 150


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ}
    return subprocess.Popen(
        [sys.executable, "-m", "registry", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _writing(db: Database) -> bool:
    """True while a load holds its write transaction open."""
    if db.url.startswith("sqlite"):
        # The rollback journal holds the pages the load transaction changed: once it is big,
        # the old site's rows are deleted and new ones are going in.
        journal = Path(db.url.removeprefix("sqlite:///") + "-journal")
        try:
            return journal.stat().st_size > 256 * 1024
        except FileNotFoundError:
            return False
    with db.engine.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
            ).scalar()
        )


@contextmanager
def _busy_cores() -> Iterator[None]:
    """Every core busy with another process, as on a site's loaded machine (a kill's timing
    then shifts; the outcome must not)."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_sigkill_in_the_middle_of_a_load_leaves_the_database_as_before(
    db: Database, submissions: dict[str, Path]
) -> None:
    load_submission(submissions["a1"], db.url)
    load_submission(submissions["b1"], db.url)
    before = _state(db.engine)
    with _busy_cores():
        proc = _cli("load", str(submissions["big"]), "--db", db.url, "--allow-removal")
        deadline = time.monotonic() + 240
        while not _writing(db):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the load never started writing"
            time.sleep(0.01)
        time.sleep(0.2)  # well inside the transaction: thousands of rows written
        assert proc.poll() is None, "the load finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while _writer_processes() and time.monotonic() < deadline:  # it dies with the loader
        time.sleep(0.05)
    assert _writer_processes() == []
    db.engine.dispose()
    assert _state(db.engine) == before


def _writer_processes() -> list[int]:
    """Live processes writing a load (``python -m registry.database.load_writer``)."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            continue
        if b"registry.database.load_writer" in command and state != "Z":
            out.append(int(entry.name))
    return out


@pytest.mark.postgres
def test_two_sites_load_at_the_same_time(pg_db: Database, submissions: dict[str, Path]) -> None:
    # Two site pipelines, two processes, one empty database: both succeed, nothing lost.
    procs = [_cli("load", str(submissions[key]), "--db", pg_db.url) for key in ("a1", "b1")]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "loaded" in out
    assert _count(pg_db.engine, "patients", "SITEA") == 120
    assert _count(pg_db.engine, "patients", "SITEB") == 90
    b1_rows = {t.name: _count(pg_db.engine, t.name, "SITEB") for t in TABLES}
    assert sum(b1_rows.values()) == sum(
        1 for p in submissions["b1"].glob("*.csv") for _ in p.open()
    ) - len(TABLES)


def test_threads_loading_at_once(sqlite_db: Database, submissions: dict[str, Path]) -> None:
    results: dict[str, object] = {}

    def run(key: str) -> None:
        results[key] = load_submission(submissions[key], sqlite_db.url).outcome

    threads = [threading.Thread(target=run, args=(k,)) for k in ("a1", "b1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a1": "loaded", "b1": "loaded"}


def test_a_database_that_is_down_is_a_clear_error(submissions: dict[str, Path]) -> None:
    proc = _cli(
        "load", str(submissions["a1"]), "--db", "postgresql+psycopg://postgres@127.0.0.1:5999/none"
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "cannot reach the database" in err and "Traceback" not in err + out


def _before_and_after_big(
    tmp_path: Path, submissions: dict[str, Path], first: tuple[str, ...]
) -> tuple[Path, dict[str, object]]:
    """A SQLite registry holding ``first``, and the states of the database before and after
    a load of the big submission into it."""
    from registry.database.store import make_engine

    base = tmp_path / "base.sqlite"
    for key in first:
        load_submission(submissions[key], f"sqlite:///{base}")
    reference = tmp_path / "reference.sqlite"
    shutil.copy(base, reference)
    load_submission(submissions["big"], f"sqlite:///{reference}", allow_removal=True)
    states = {}
    for name, path in (("as before", base), ("fully updated", reference)):
        engine = make_engine(f"sqlite:///{path}")
        states[name] = _state(engine)
        engine.dispose()
    return base, states


def test_a_kill_at_any_stage_of_a_load_leaves_it_as_before_or_fully_updated(
    tmp_path: Path, submissions: dict[str, Path]
) -> None:
    """kill -9 at moments spread over a whole load (start-up, validation, staging, the
    comparison, delete, inserts, audit, commit): the database is as before or fully updated."""
    from registry.database.store import make_engine

    base, states = _before_and_after_big(tmp_path, submissions, ("a1", "b1"))
    seen = []
    for delay in (0.3, 0.6, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0):
        path = tmp_path / f"kill-{delay}.sqlite"
        shutil.copy(base, path)
        proc = _cli("load", str(submissions["big"]), "--db", f"sqlite:///{path}", "--allow-removal")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        engine = make_engine(f"sqlite:///{path}")
        state = _state(engine)
        engine.dispose()
        outcome = next((name for name, known in states.items() if state == known), None)
        assert outcome is not None, f"a kill after {delay} s left a half-written database"
        seen.append(outcome)
    assert "as before" in seen, seen  # the early kills land before the commit


# --- the copy runs while the checks do: nothing commits before the report is final ----------
def _checks_find_an_error(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rule catalogue (not conformance) reports an error: the rows were already being
    copied."""
    import registry.validation.validate as validate_module
    from registry.validation.findings import finding
    from registry.validation.rules_engine import RuleRun

    original = validate_module.run_engine
    seen: list[str] = []

    def run_engine(*args: Any, **kwargs: Any) -> RuleRun:
        run = original(*args, **kwargs)
        time.sleep(0.5)  # the copy goes on meanwhile
        seen.append("checks")
        run.findings.append(finding("fk-missing", "no patient SITEA-XXXXXXXX", table="catheters"))
        return run

    monkeypatch.setattr(validate_module, "run_engine", run_engine)
    return seen


def _counting_copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from registry.database.copying import StagedRows

    copied: list[int] = []
    original_copy = StagedRows.copy

    def copy(self: Any, *args: Any) -> int:
        written: int = original_copy(self, *args)
        copied.append(written)
        return written

    monkeypatch.setattr(StagedRows, "copy", copy)
    return copied


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_an_error_of_the_checks_rolls_back_the_rows_already_copied(
    db: Database, submissions: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_submission(submissions["b1"], db.url)
    before = _state(db.engine)
    seen = _checks_find_an_error(monkeypatch)
    copied = _counting_copies(monkeypatch)
    result = load_submission(submissions["a1"], db.url)
    assert result.outcome == "rejected" and result.report.errors == 1
    assert seen and sum(copied) > 0  # the rows were copied before the checks' error came
    assert _state(db.engine) == before


def test_a_load_rejected_by_the_checks_leaves_a_new_database_without_schema(
    tmp_path: Path, submissions: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema is created in the load's transaction: rolled back with its rows."""
    _checks_find_an_error(monkeypatch)
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert load_submission(submissions["a1"], url).outcome == "rejected"
    from registry.database.store import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master").all()
    engine.dispose()
    assert tables == []


def _children() -> list[int]:
    """The live child processes of this one."""
    out = []
    for task in Path("/proc/self/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
@pytest.mark.parametrize("writer", ["thread", "process"])
def test_an_interrupt_while_writing_rolls_back_and_leaves_no_writer(
    db: Database, writer: str, submissions: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the checks run and the rows are being written (by the thread of a small
    submission, or the process of a large one): rolled back, and no writer left behind."""
    import registry.validation.validate as validate_module
    from registry.validation import staging_engines

    monkeypatch.setattr(staging_engines, "DUCKDB_MIN_ROWS", 0 if writer == "process" else 10**12)
    load_submission(submissions["a1"], db.url)  # replaced: its rows go to the journal
    load_submission(submissions["b1"], db.url)
    before = _state(db.engine)
    children = set(_children())
    seen: list[bool] = []

    def interrupted(*args: Any, **kwargs: Any) -> None:
        deadline = time.monotonic() + 120
        while not _writing(db) and time.monotonic() < deadline:
            time.sleep(0.005)
        seen.append(_writing(db))
        raise KeyboardInterrupt

    monkeypatch.setattr(validate_module, "run_engine", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_submission(submissions["big"], db.url, allow_removal=True)
    assert seen == [True], "the interrupt came before the writing"
    assert not [t for t in threading.enumerate() if t.name == "vte-registry-load"]
    assert set(_children()) <= children
    db.engine.dispose()
    assert _state(db.engine) == before


def test_ctrl_c_at_any_moment_is_one_line_exit_130_and_a_whole_database(
    tmp_path: Path, submissions: dict[str, Path]
) -> None:
    """SIGINT (Ctrl-C) at moments spread over a load: one line on stderr, exit 130, nothing
    on stdout, and the database as before (or fully updated, if the load had finished)."""
    from registry.database.store import make_engine

    base, states = _before_and_after_big(tmp_path, submissions, ("a1",))
    interrupted = 0
    for delay in (0.3, 0.6, 1.0, 1.5, 2.5):
        path = tmp_path / f"int-{delay}.sqlite"
        shutil.copy(base, path)
        proc = _cli("load", str(submissions["big"]), "--db", f"sqlite:///{path}", "--allow-removal")
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        engine = make_engine(f"sqlite:///{path}")
        state = _state(engine)
        engine.dispose()
        if proc.returncode == 0:  # it had finished
            assert state == states["fully updated"]
            continue
        assert proc.returncode == 130, (delay, err)
        assert err.strip().splitlines() == [INTERRUPTED]
        # as before, or (interrupted after its commit, while it said so) fully updated
        assert state in (states["as before"], states["fully updated"]), delay
        if state == states["as before"]:
            assert out == ""
            interrupted += 1
    assert interrupted >= 3
