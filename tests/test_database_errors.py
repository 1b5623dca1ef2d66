"""SQLite as a real embedded default, and database errors a person can act on."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry.synthetic import synthesize


def _cli(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "registry", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tables(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:  # opening rolls back a hot journal, as SQLite does
        return {r[0] for r in db.execute("select name from sqlite_master where type='table'")}


def test_a_kill_during_schema_creation_leaves_no_schema_or_all_of_it(tmp_path: Path) -> None:
    complete = None
    outcomes = set()
    for attempt, delay in enumerate((0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.6, 2.0, 2.5, 3.0)):
        path = tmp_path / f"db{attempt}.sqlite"
        proc = _cli("db", "upgrade", "--db", f"sqlite:///{path}")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        tables = _tables(path)
        if proc.returncode == 0 or (complete is not None and tables == complete):
            outcomes.add("complete")
        else:
            assert tables == set(), f"a kill after {delay} s left part of a schema: {tables}"
            outcomes.add("none")
        # whatever it left, the next command can use the database
        again = _cli("db", "upgrade", "--db", f"sqlite:///{path}")
        _out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        complete = complete or _tables(path)
        assert _tables(path) == complete and "alembic_version" in complete
    assert outcomes  # at least one kill landed somewhere


def test_two_sites_load_at_once_into_a_new_sqlite_file(tmp_path: Path) -> None:
    a = synthesize(tmp_path / "a", 60, seed=1, site="SITEA").folder
    b = synthesize(tmp_path / "b", 60, seed=2, site="SITEB").folder
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    procs = [_cli("load", str(folder), "--db", url) for folder in (a, b)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "loaded" in out
    with sqlite3.connect(tmp_path / "new.sqlite") as db:
        sites = {r[0] for r in db.execute("select site_id from patients")}
    assert sites == {"SITEA", "SITEB"}


def _one_line_error(*args: str, cwd: Path | None = None) -> str:
    proc = _cli(*args, cwd=cwd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, err)
    assert "Traceback" not in err + out and "internal error" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@127.0.0.1/registry", "no database driver"),
        ("oracle+cx_oracle://scott@127.0.0.1/registry", "no database driver"),
    ],
)
def test_a_bad_url_or_missing_driver_is_one_line(url: str, expected: str) -> None:
    assert expected in _one_line_error("db", "upgrade", "--db", url)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are notes, not a database\n" * 100)
    err = _one_line_error("validate", "--db", f"sqlite:///{path}")
    assert "not a registry database" in err
    assert path.read_text().startswith("these are notes")


@pytest.mark.parametrize("exists", [False, True])
def test_an_empty_or_missing_database_says_what_to_do(tmp_path: Path, exists: bool) -> None:
    path = tmp_path / "empty.sqlite"
    if exists:
        sqlite3.connect(path).close()
    err = _one_line_error("validate", "--db", f"sqlite:///{path}")
    assert "db upgrade" in err
    assert path.exists() == exists  # reading never creates a database


def test_a_locked_database_says_so(tmp_path: Path) -> None:
    from registry.database.store import explain_database_error, make_engine

    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path)
    holder.execute("create table t (x)")
    holder.execute("begin immediate")  # another program is writing
    engine = make_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2})
    try:
        with pytest.raises(Exception) as raised, engine.begin() as connection:
            connection.exec_driver_sql("insert into t values (1)")
        message = explain_database_error(raised.value, f"sqlite:///{path}")
        assert message is not None and "locked by another program" in message
    finally:
        engine.dispose()
        holder.rollback()
        holder.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "is not a database URL"),
        ("mysql://x@y/z", "no database driver"),
        ("postgresql+psycopg://postgres@127.0.0.1:5999/none", "cannot reach the database"),
    ],
    ids=["not-a-url", "no-driver", "down"],
)
def test_the_python_api_raises_the_packages_error_with_the_cli_line(
    url: str, expected: str, tmp_path: Path
) -> None:
    from registry import DatabaseUnusable, load

    folder = synthesize(tmp_path / "s", 5, seed=1).folder
    with pytest.raises(DatabaseUnusable, match=expected) as raised:
        load(folder, url)
    assert "\n" not in str(raised.value)
