"""A registry database with the intake service's tables and two sites, on SQLite and, marked
``postgres``, on PostgreSQL (tests choose with ``@pytest.mark.parametrize("db", DB_KINDS,
indirect=True)``)."""

from __future__ import annotations

import pytest

from registry.database.store import upgrade
from registry.intake import accounts
from tests.conftest import Database

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
