"""A 1.0 submission, made by the release before case report form 1.1, is still read and
loaded (spec, "Changes in 1.1"): the 1.1 fields are "not collected", the rules that need them
are not run, the table 1.1 added is not submitted, the report says 1.0, and the database keeps
each record's schema version. The fixture is that release's output, kept as it was made."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.database.loading import load_submission
from registry.models import TABLES, table_spec
from registry.validation.validate import validate_submission
from tests.conftest import Database

FIXTURE = Path(__file__).parent / "fixtures" / "submission_1_0"


def test_a_1_0_submission_validates_as_1_0() -> None:
    report = validate_submission(FIXTURE)
    assert report.schema_version == "1.0"
    assert report.errors == 0, [f for f in report.findings if f.severity == "error"]
    assert report.not_submitted == ["vte_interventions"]
    assert "vte_interventions" not in report.tables
    # "not collected" is never a finding: no missing value, no completeness warning
    later = {(s.name, f) for s in TABLES for f in s.fields if f not in s.fields_in("1.0")}
    assert [f for f in report.findings if (f.table, f.field) in later] == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_1_0_submission_loads_with_its_version_kept(
    backend: str, sqlite_db: Database, pg_db: Database
) -> None:
    db = sqlite_db if backend == "sqlite" else pg_db
    result = load_submission(FIXTURE, engine=db.engine)
    assert result.counts["vte_events"] > 0
    events = table_spec("vte_events").sql_table
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(events.c.submission_schema_version, events.c.urgent_intervention)
        ).all()
        assert rows and {tuple(r) for r in rows} == {("1.0", None)}
        for spec in TABLES:
            versions = connection.execute(
                select(spec.sql_table.c.submission_schema_version).distinct()
            ).scalars()
            assert set(versions) <= {"1.0"}, spec.name


def test_a_1_0_file_with_a_1_1_column_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURE, tmp_path / "s")
    path = folder / "bleeding_events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",sought_care", *(line + ",false" for line in lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate_submission(folder)
    assert ("unknown-column", "bleeding_events", "sought_care") in {
        (f.rule, f.table, f.field) for f in report.findings
    }
