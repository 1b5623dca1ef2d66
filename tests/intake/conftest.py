"""A registry database with the intake service's tables and two sites, on SQLite and, marked
``postgres``, on PostgreSQL (tests choose with ``@pytest.mark.parametrize("db", DB_KINDS,
indirect=True)``)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.database.store import upgrade
from registry.intake import accounts
from tests.conftest import Database


def zipped(folder: Path) -> Path:
    """A submission folder zipped beside it, as a site sends it (its files at the root)."""
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return target


DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PASSWORD = "correct horse battery"


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(
        "sqlite_db" if request.param == "sqlite" else "pg_db"
    )
    upgrade(database.engine)
    accounts.add_site(database.engine, "SITE1", "Hospital One")
    accounts.add_site(database.engine, "SITE2", "Hospital Two")
    return database


# --- one running service for the tests that reach it over HTTP (per session) ---------------
@dataclass(frozen=True)
class LiveService:
    url: str
    db_url: str
    token: str  # SITE1's pipeline
    totp_secret: str  # the center analyst's (center accounts need a one-time password)
    folder: Path


@pytest.fixture(scope="session")
def live_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    from registry.database.store import make_engine
    from tests.intake.live import start

    folder = tmp_path_factory.mktemp("live-service")
    db_url = f"sqlite:///{folder / 'registry.sqlite'}"
    engine = make_engine(db_url)
    upgrade(engine)
    accounts.add_site(engine, "SITE1", "Hospital One")
    accounts.add_site(engine, "SITE2", "Hospital Two")
    accounts.add_user(engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")
    secret = accounts.add_user(engine, "analyst", "center_analyst", PASSWORD)
    assert secret is not None
    token = accounts.issue_token(engine, "SITE1", "tests").token
    engine.dispose()
    live = start(db_url, folder / "data", workers=2)
    try:
        yield LiveService(live.url, db_url, token, secret, folder)
    finally:
        live.stop()
