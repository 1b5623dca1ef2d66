"""Persistence: schema on SQLite and PostgreSQL, keys and indexes, round trips."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import IntegrityError

from registry import parse_row
from registry.database import store
from registry.models import TABLE_NAMES, TABLES, Patient, RegistryRecord, table_spec
from tests.rows import PID, VALID, row


def _write_records(connection: Connection, name: str, records: list[RegistryRecord]) -> None:
    """Insert validated records as they are (the loader copies from staging instead)."""
    rows = [{k: getattr(v, "value", v) for k, v in r.__dict__.items()} for r in records]
    if rows:
        connection.execute(table_spec(name).sql_table.insert(), rows)


def _read_table(engine: Engine, name: str) -> list[RegistryRecord]:
    spec = table_spec(name)
    table = spec.sql_table
    with engine.connect() as connection:
        fields = [table.c[f] for f in spec.fields]  # the record's own columns
        rows = connection.execute(select(*fields).order_by(table.c[spec.id_field])).mappings()
        return [spec.record.model_validate(dict(row)) for row in rows]


def _records() -> dict[str, list[RegistryRecord]]:
    out: dict[str, list[RegistryRecord]] = {}
    for spec in TABLES:
        record = parse_row(spec.name, VALID[spec.name])
        assert isinstance(record, RegistryRecord), record
        out[spec.name] = [record]
    second = parse_row(
        "vte_events",
        row(
            "vte_events",
            event_id=f"{PID}-V2",
            diagnosis_date="2021-07-01",
            recurrence_of_event_id=f"{PID}-V1",
        ),
    )
    assert isinstance(second, RegistryRecord)
    out["vte_events"].append(second)
    return out


def _write_all(engine: Engine) -> dict[str, list[RegistryRecord]]:
    records = _records()
    store.create_schema(engine)
    with engine.begin() as connection:
        for name in TABLE_NAMES:
            _write_records(connection, name, records[name])
    return records


def _check_schema(engine: Engine) -> None:
    inspector = inspect(engine)
    for spec in TABLES:
        assert spec.name in inspector.get_table_names()
        pk = inspector.get_pk_constraint(spec.name)["constrained_columns"]
        assert pk == [spec.id_field]
        if spec.name != "patients":
            fks = {
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(spec.name)
            }
            assert (("patient_id",), "patients") in fks
            indexed = {col for ix in inspector.get_indexes(spec.name) for col in ix["column_names"]}
            assert "patient_id" in indexed


def _round_trip(engine: Engine) -> None:
    written = _write_all(engine)
    _check_schema(engine)
    for name in TABLE_NAMES:
        assert list(_read_table(engine, name)) == written[name], name


def test_round_trip_sqlite(sqlite_engine: Engine) -> None:
    _round_trip(sqlite_engine)


@pytest.mark.postgres
def test_round_trip_postgres(pg_schema: Engine) -> None:
    _round_trip(pg_schema)


def _fk_is_enforced(engine: Engine) -> None:
    store.create_schema(engine)
    orphan = parse_row(
        "catheters", row("catheters", patient_id="NYC01-AAAAAAAA", catheter_id="NYC01-AAAAAAAA-C1")
    )
    assert isinstance(orphan, RegistryRecord)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _write_records(connection, "catheters", [orphan])
    assert list(_read_table(engine, "catheters")) == []


def test_sqlite_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    _fk_is_enforced(sqlite_engine)


@pytest.mark.postgres
def test_postgres_enforces_foreign_keys(pg_schema: Engine) -> None:
    _fk_is_enforced(pg_schema)


def test_table_class_does_not_validate_but_the_site_path_does() -> None:
    bad = row("patients", sex="m", age_at_diagnosis_months="999", patient_id="x")
    # The SQLModel table class accepts garbage on construction (sqlmodel #52) ...
    Patient(**bad)
    # ... which is why sites' rows always go through parse_row / parse_rows.
    errors = parse_row("patients", bad)
    assert isinstance(errors, list)
    assert {e.rule for e in errors} >= {"invalid-code", "out-of-range", "id-format"}


def test_database_url_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv(store.DB_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert store.database_url() == f"sqlite:///{tmp_path / store.DEFAULT_DB_FILE}"
    monkeypatch.setenv(store.DB_ENV_VAR, "postgresql+psycopg://x@h/db")
    assert store.database_url() == "postgresql+psycopg://x@h/db"
    assert store.database_url("sqlite:///y.db") == "sqlite:///y.db"
