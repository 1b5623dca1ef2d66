"""Alembic: upgrading an empty database gives exactly the schema of the models."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import registry.database.intake_tables
import registry.database.store
import registry.models
from registry.database.store import upgrade
from tests.conftest import Database


def _schema(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    out: dict[str, object] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        out[table] = {
            # By name: a column added by a migration goes last (ADD COLUMN), wherever the
            # model declares it; name, type and nullability must still agree.
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
        }
    return out


def _compare(migrated: Engine, created: Engine) -> None:
    upgrade(migrated)
    SQLModel.metadata.create_all(created)
    assert _schema(migrated) == _schema(created)
    assert len(_schema(migrated)) == 19  # 12 tables, the audit and the intake service's 6
    upgrade(migrated)  # a second upgrade is a no-op


def test_upgrade_equals_create_all_sqlite(tmp_path) -> None:
    from registry.database.store import make_engine

    a = make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    b = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    _compare(a, b)


@pytest.mark.postgres
def test_upgrade_equals_create_all_postgres(pg_db: Database, pg_engine: Engine) -> None:
    from sqlalchemy import text

    from registry.database.store import make_engine
    from tests.conftest import pg_url_for

    with pg_engine.begin() as connection:
        connection.execute(text('drop schema if exists "t_created_all" cascade'))
        connection.execute(text('create schema "t_created_all"'))
    created = make_engine(pg_url_for("t_created_all"))
    try:
        _compare(pg_db.engine, created)
    finally:
        created.dispose()
        with pg_engine.begin() as connection:
            connection.execute(text('drop schema if exists "t_created_all" cascade'))


def test_db_upgrade_command(tmp_path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-m", "registry", "db", "upgrade", "--db", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from registry.database.store import make_engine

    assert "patients" in inspect(make_engine(url)).get_table_names()


def test_upgrade_to_1_1_keeps_records_and_marks_them_1_0(tmp_path) -> None:
    """0004 (case report form 1.1) keeps every existing record; their new fields are null
    ("not collected") and their schema version is 1.0."""
    import datetime as dt

    from sqlalchemy import Boolean, Date, Float, Integer, MetaData, insert, select

    engine = registry.database.store.make_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    upgrade(engine, "0003")
    old = MetaData()
    old.reflect(engine)
    patients = old.tables["patients"]

    def value(column):  # any well-typed value: the migration must keep it as it is
        if column.name == "patient_id":
            return "NYC01-7F3K9Q2M"
        kind = column.type
        if isinstance(kind, Boolean):
            return False
        if isinstance(kind, Date):
            return dt.date(2021, 3, 1)
        if isinstance(kind, (Integer, Float)):
            return 1
        return "x"

    row = {c.name: value(c) for c in patients.columns}
    with engine.begin() as connection:
        connection.execute(insert(patients).values(row))
    upgrade(engine)
    new = MetaData()
    new.reflect(engine)
    with engine.connect() as connection:
        kept = connection.execute(select(new.tables["patients"])).mappings().one()
    assert {k: kept[k] for k in row} == row
    assert kept["submission_schema_version"] == "1.0"
    engine.dispose()
