"""The expectation suites: well-formed, tied to the rule catalogue and to the models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.models import TABLES
from registry.models.survey import SurveyResponseRecord
from registry.rules import RULES
from registry.validation.gx_engine import load_suites, run_suites, suites_dir
from registry.validation.phi import FREE_TEXT_FIELDS
from registry.validation.rule_rows import render
from registry.validation.staging import MANIFEST_TABLE
from registry.validation.staging_engines import stage
from tests.conftest import Validated

MODEL_COLUMNS = {spec.name: set(spec.fields) for spec in TABLES}
STAGING_EXTRAS = {"_row", "_valid"}
EXPECTATIONS = [(s["name"], e) for s in load_suites() for e in s["expectations"]]


def test_every_suite_file_is_loaded_and_named_after_its_file() -> None:
    files = sorted(p.stem for p in suites_dir().glob("*.json"))
    assert files == sorted(s["name"] for s in load_suites())
    per_table = {spec.name for spec in TABLES}
    assert per_table <= set(files), "one suite per table"
    assert any(name.startswith("cross_table") for name in files)


@pytest.mark.parametrize(
    ("suite", "expectation"),
    EXPECTATIONS,
    ids=[f"{s}:{e['meta']['rule']}" for s, e in EXPECTATIONS],
)
def test_meta_carries_rule_severity_and_category_of_the_catalogue(
    suite: str, expectation: dict
) -> None:
    meta = expectation["meta"]
    rule = RULES[meta["rule"]]
    assert (meta["severity"], meta["category"]) == (rule.severity, rule.category)
    assert expectation["type"] in {
        "unexpected_rows_expectation",  # a query returning the offending rows
        "expect_column_values_to_be_unique",  # GX's own, where one fits
        "expect_column_values_to_not_be_null",
    }
    assert expectation["description"]


@pytest.mark.parametrize(
    ("suite", "expectation"),
    EXPECTATIONS,
    ids=[f"{s}:{e['meta']['rule']}" for s, e in EXPECTATIONS],
)
def test_every_named_column_exists_in_the_models(suite: str, expectation: dict) -> None:
    for table, columns in expectation["meta"]["columns"].items():
        assert table in MODEL_COLUMNS, table
        assert set(columns) <= MODEL_COLUMNS[table], (table, set(columns) - MODEL_COLUMNS[table])
    if "column" in expectation["kwargs"]:  # a GX built-in on one column
        assert [expectation["kwargs"]["column"]] == next(
            iter(expectation["meta"]["columns"].values())
        )
        return
    # Every alias.column the SQL uses is a model column (or staging's _row/_valid).
    query = expectation["kwargs"]["unexpected_rows_query"]
    known = set().union(*MODEL_COLUMNS.values()) | STAGING_EXTRAS | {"site_id", "data_cutoff_date"}
    used = {
        column
        for alias, column in re.findall(r"\b([a-z]{1,2})\.([a-z_]+)\b", query)
        if alias != "s"
    }  # "s" is a derived table (counts), not a registry table
    used -= set(expectation["meta"].get("derived", []))  # columns the query computes
    assert used <= known, used - known
    assert "{batch}" in query


def test_every_rule_of_the_spec_has_an_implementation() -> None:
    implemented = {e["meta"]["rule"] for _, e in EXPECTATIONS}
    for spec in TABLES:
        implemented |= set(spec.record.row_rule_ids)
    implemented |= {
        "missing-value",
        "unexpected-value",
        "type-error",
        "out-of-range",
        "invalid-code",
        "pattern-mismatch",
    }  # record conformance (pydantic)
    implemented |= {
        "unknown-column",
        "missing-column",
        "encoding-error",
        "unreadable-file",
        "manifest-mismatch",
    }  # reading.py, inventory.py
    implemented |= {"phi-suspected"} if FREE_TEXT_FIELDS else set()  # phi.py
    assert set(RULES) - implemented == set()
    assert SurveyResponseRecord.row_rule_ids


def test_dialect_rendering() -> None:
    query = "WHERE DAYS(b.enrollment_date) - DAYS(b.diagnosis_date) > 60"
    assert render(query, "sqlite") == (
        "WHERE julianday(b.enrollment_date) - julianday(b.diagnosis_date) > 60"
    )
    assert render(query, "postgresql") == (
        "WHERE (b.enrollment_date - DATE '1970-01-01') - "
        "(b.diagnosis_date - DATE '1970-01-01') > 60"
    )
    for _, e in EXPECTATIONS:
        assert "DAYS(" not in render(e["kwargs"].get("unexpected_rows_query", ""), "postgresql")


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_every_suite_runs_on_an_empty_submission(engine: str, tmp_path: Path) -> None:
    run = run_suites(stage(tmp_path / f"empty.{engine}", {}, {}, None), engine)
    assert run.checks == len(EXPECTATIONS)
    assert run.findings == []
    assert MANIFEST_TABLE == "_manifest"


def test_no_gx_folder_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_suites(stage(tmp_path / "s.duckdb", {}, {}, None), "duckdb")
    assert not (tmp_path / "gx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]


def test_chunked_validation_finds_the_same(
    defect_cohort: Validated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables are validated and staged in chunks; chunk borders change nothing found."""
    import registry.validation.validate as validate_module

    monkeypatch.setattr(validate_module, "CHUNK_ROWS", 977)
    again = validate_module.validate_submission(defect_cohort.folder)
    assert max(again.tables.values()) > 977  # more than one chunk

    def key(f: object) -> tuple:
        fields = ("rule", "table", "row", "record_id", "field", "value", "message")
        return tuple(str(getattr(f, k)) for k in fields)

    assert sorted(map(key, again.findings)) == sorted(map(key, defect_cohort.report.findings))
