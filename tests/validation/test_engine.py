"""The validation engine: staging in DuckDB, and the GX workaround for it (``--engine gx``).
None of it may change what a report says (the column-wise conformance: test_vector.py; the
two engines of the rule catalogue: test_engines.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import registry.validation.validate as validate_module
from registry.models import TABLES
from registry.validation import staging_engines as staging
from registry.validation.gx_duckdb import persist_duckdb_connection
from registry.validation.gx_engine import run_suites
from tests.conftest import Database, Validated

# One orphan catheter: fk-missing must find it on DuckDB.
_ORPHAN = "SYN01-AAAAAAAA-C1"


def _staging_with_an_orphan(path: Path) -> str:
    from registry.validation.staging_engines import DuckdbStager

    stager = DuckdbStager(path)
    row = {"catheter_id": _ORPHAN, "patient_id": "SYN01-AAAAAAAA"}
    stager.add_chunk("catheters", [row], [], 0)  # staged as a row that failed conformance
    return stager.finish()


def _fk_suite() -> tuple[dict, ...]:
    from registry.validation.gx_engine import load_suites

    suite = next(s for s in load_suites() if s["name"] == "cross_table_references")
    return (suite,)


def test_gx_finds_rows_on_duckdb_with_the_workaround(tmp_path: Path) -> None:
    url = _staging_with_an_orphan(tmp_path / "s.duckdb")
    run = run_suites(url, "duckdb", _fk_suite(), with_manifest=False)
    assert [(f.rule, f.record_id) for f in run.findings] == [("fk-missing", _ORPHAN)]


def test_gx_still_needs_the_duckdb_workaround(tmp_path: Path) -> None:
    """Fails when a GX release keeps DuckDB's rows by itself (or renames what the
    workaround extends): then registry/validation/gx_duckdb.py can go, or must change."""
    import great_expectations as gx
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    url = _staging_with_an_orphan(tmp_path / "s.duckdb")
    persist_duckdb_connection()
    patched = engine._PERSISTED_CONNECTION_DIALECTS
    engine._PERSISTED_CONNECTION_DIALECTS = tuple(
        d for d in patched if str(getattr(d, "value", d)) != "duckdb"
    )
    try:
        context = gx.get_context(mode="ephemeral")
        source = context.data_sources.add_sql("plain", connection_string=url)
        batch = (
            source.add_table_asset(name="catheters", table_name="catheters")
            .add_batch_definition_whole_table("all")
            .get_batch()
        )
        query = "SELECT catheter_id FROM {batch} WHERE catheter_id IS NOT NULL"
        result = batch.validate(
            gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=query)
        )
        unexpected = (result.result or {}).get("observed_value")
        assert unexpected != 1, "GX now reads DuckDB's rows itself: drop gx_duckdb.py"
    finally:
        engine._PERSISTED_CONNECTION_DIALECTS = patched


def test_the_workaround_fails_loudly_when_gx_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    monkeypatch.delattr(engine, "_PERSISTED_CONNECTION_DIALECTS")
    with pytest.raises(RuntimeError, match="great_expectations changed"):
        persist_duckdb_connection()


def _key(finding: object) -> tuple:
    fields = ("rule", "table", "row", "record_id", "field", "value", "message")
    return tuple(str(getattr(finding, k)) for k in fields)


def test_the_report_does_not_change_between_runs(clean_cohort: Validated) -> None:
    """DuckDB scans in parallel; findings are put in file order (same JSON every run)."""
    again = validate_module.validate_submission(clean_cohort.folder)
    first = clean_cohort.report.to_dict()
    second = again.to_dict()
    for report in (first, second):
        report.pop("seconds", None)
        report.pop("created_at", None)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_duckdb_staging_finds_what_sqlite_staging_finds(
    defect_cohort: Validated, clean_cohort: Validated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small submissions are staged in SQLite, large ones in DuckDB: the engine changes
    nothing in a report (here both cohorts staged in DuckDB against their SQLite reports)."""
    monkeypatch.setattr(staging, "DUCKDB_MIN_ROWS", 0)
    for cohort in (defect_cohort, clean_cohort):
        with validate_module.checked_submission(cohort.folder) as checked:
            assert checked.staging.suffix == ".duckdb"
            report = checked.report
        assert list(map(_key, report.findings)) == list(map(_key, cohort.report.findings))
    assert any(f.rule == "fk-missing" for f in defect_cohort.report.findings)


def _registry_dump(url: str) -> dict[str, list[tuple[str, ...]]]:
    from sqlalchemy import select

    from registry.database.store import make_engine

    db = make_engine(url)
    with db.connect() as connection:
        dump = {
            spec.name: sorted(
                tuple(map(repr, row)) for row in connection.execute(select(spec.sql_table))
            )
            for spec in TABLES
        }
    db.dispose()
    return dump


def test_a_load_from_duckdb_staging_writes_what_one_from_sqlite_writes(
    clean_cohort: Validated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_db: Database
) -> None:
    """The loader reads the staging database (from DuckDB as Arrow batches, with SQLite's
    dates and flags converted column-wise): every value of every table arrives the same,
    types included, whichever engine staged it, in SQLite and in PostgreSQL."""
    from registry.database.loading import load_submission

    dumps = {}
    targets = (
        ("sqlite", 10**12, f"sqlite:///{tmp_path / 'sqlite'}.sqlite"),
        ("duckdb", 0, f"sqlite:///{tmp_path / 'duckdb'}.sqlite"),
        ("duckdb-postgresql", 0, pg_db.url),
    )
    for name, threshold, url in targets:
        monkeypatch.setattr(staging, "DUCKDB_MIN_ROWS", threshold)
        result = load_submission(clean_cohort.folder, url)
        assert result.outcome == "loaded", result.message
        dumps[name] = _registry_dump(url)
    assert sum(map(len, dumps["sqlite"].values())) == sum(clean_cohort.report.tables.values())
    assert dumps["duckdb"] == dumps["sqlite"]
    assert dumps["duckdb-postgresql"] == dumps["sqlite"]


def test_a_validation_that_cannot_run_is_one_line_and_exit_2(
    defect_cohort: Validated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validation could not run (here: the checks' disk is full): one line, exit code
    2, no traceback, no report."""
    from typer.testing import CliRunner

    from registry.cli import app
    from registry.validation.rule_rows import RuleError

    def broken(*args: object, **kwargs: object) -> None:
        raise RuleError("rule fk-missing could not run: IOException: No space left on device")

    monkeypatch.setattr(validate_module, "run_engine", broken)
    result = CliRunner().invoke(app, ["validate", str(defect_cohort.folder), "--format", "json"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "the validation could not run" in lines[0] and "No space left" in lines[0]
    assert "Traceback" not in result.output
