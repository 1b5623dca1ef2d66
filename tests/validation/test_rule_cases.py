"""Every rule, case by case (frictionless style): small literal submissions in, the rule's
findings out, in both directions (the violating case and the nearest valid one).

The cases of the rule catalogue's checks are ``tests/validation/rule_cases/*.toml``, run
through the catalogue directly on the staged case (``test_engines.py`` holds Great
Expectations to the same findings on each); those of single rows are
``tests/models/test_rows.py``'s ``INVALID`` table; those of whole files are ``FILE_CASES``
below, through a whole validation.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from registry.models import TABLES
from registry.rules import RULES
from registry.validation.catalogue import checks
from registry.validation.rules_engine import run_rules
from registry.validation.validate import stage_submission, validate_submission
from tests.models.test_rows import INVALID  # the row-level case table
from tests.validation.rule_cases import CASES, build


def staged_findings(folder: Path) -> list[Any]:
    """Conformance's and the rule catalogue's findings of a small submission."""
    with stage_submission(folder) as staged:
        run = run_rules(staged.url, with_manifest=staged.manifest is not None)
        return staged.findings + run.findings


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r}: {c['name']}" for r, c in CASES])
def test_expectation_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    folder = build(case, tmp_path / "s")
    found = {(f.table, f.field) for f in staged_findings(folder) if f.rule == rule}
    assert found == {tuple(f) for f in case["finds"]}


def _found(folder: Path, rule: str) -> set[tuple[str | None, str | None]]:
    return {(f.table, f.field) for f in validate_submission(folder).findings if f.rule == rule}


# --- whole files ---------------------------------------------------------------------------
def _csv_cell(folder: Path, table: str, column: str, value: bytes) -> None:
    path = folder / f"{table}.csv"
    lines = path.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    cells = lines[1].split(b",")
    cells[header.index(column)] = value
    lines[1] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))


def _drop_column(folder: Path, table: str, column: str) -> None:
    path = folder / f"{table}.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = [f for f in rows[0] if f != column]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


Mutation = Callable[[Path], object]
FILE_CASES: list[tuple[str, str, Mutation, bool]] = [
    (
        "unreadable-file",
        "an empty patients.csv",
        lambda f: (f / "patients.csv").write_text(""),
        True,
    ),
    (
        "unreadable-file",
        "patients.csv with a header only",
        lambda f: (f / "vte_assessments.csv").write_text(
            (f / "vte_assessments.csv").read_text().splitlines()[0] + "\n"
        ),
        False,
    ),
    (
        "encoding-error",
        "a latin-1 protocol name",
        lambda f: _csv_cell(f, "patients", "protocol_name", "Niño".encode("latin-1")),
        True,
    ),
    (
        "encoding-error",
        "the same name in UTF-8",
        lambda f: _csv_cell(f, "patients", "protocol_name", "Niño".encode()),
        False,
    ),
    (
        "missing-column",
        "patients.csv without off_study_reason",
        lambda f: _drop_column(f, "patients", "off_study_reason"),
        True,
    ),
    ("missing-column", "patients.csv with every column", lambda f: None, False),
    ("manifest-mismatch", "a stray notes.txt", lambda f: (f / "notes.txt").write_text("x"), True),
    (
        "manifest-mismatch",
        "a .DS_Store (operating-system litter)",
        lambda f: (f / ".DS_Store").write_bytes(b"\0"),
        False,
    ),
    (
        "phi-suspected",
        "a name in protocol_name",
        lambda f: _csv_cell(f, "patients", "protocol_name", b"John Smith"),
        True,
    ),
    (
        "phi-suspected",
        "a protocol in protocol_name",
        lambda f: _csv_cell(f, "patients", "protocol_name", b"AALL0932"),
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule", "name", "mutate", "found"), FILE_CASES, ids=[f"{r}: {n}" for r, n, _, _ in FILE_CASES]
)
def test_file_case(rule: str, name: str, mutate: Mutation, found: bool, tmp_path: Path) -> None:
    folder = build({}, tmp_path / "s")
    mutate(folder)
    assert bool(_found(folder, rule)) == found


# --- the catalogue as a whole ----------------------------------------------------------------
def test_every_rule_has_a_violating_and_a_valid_case() -> None:
    violating = {rule for rule, case in CASES if case["finds"]}
    violating |= {rule for rule, _, _, found in FILE_CASES if found}
    violating |= {entry[3] for entry in INVALID}  # rows: the valid row is the valid case
    valid = {rule for rule, case in CASES if not case["finds"]}
    valid |= {rule for rule, _, _, found in FILE_CASES if not found}
    valid |= {entry[3] for entry in INVALID}
    assert set(RULES) - violating == set(), "rules with no violating case"
    assert set(RULES) - valid == set(), "rules with no valid case"
    checked = {c.rule for c in checks()}
    assert {rule for rule, _ in CASES} <= checked, "cases of no check"
    assert checked - {rule for rule, _ in CASES} == set(), "checks with no case"


def test_every_check_names_a_rule_of_the_catalogue() -> None:
    assert {c.rule for c in checks()} <= set(RULES)


def test_every_reference_of_the_models_has_its_checks() -> None:
    by_rule = {c.rule: c for c in checks() if c.rule in ("fk-missing", "fk-other-patient")}
    for spec in TABLES:
        for facts in spec.facts:
            if not facts.foreign_key:
                continue
            assert facts.name in by_rule["fk-missing"].columns.get(spec.name, []), (
                spec.name,
                facts.name,
            )
            if not facts.foreign_key.startswith("patients."):
                assert facts.name in by_rule["fk-other-patient"].columns[spec.name]


def test_every_table_has_a_primary_key_check_and_every_date_a_cutoff_check() -> None:
    unique = {c.suite for c in checks() if c.rule == "id-unique"}
    assert unique == {spec.name for spec in TABLES}
    cutoff = next(c for c in checks() if c.rule == "after-cutoff")
    for spec in TABLES:
        dates = [f.name for f in spec.facts if f.kind == "date"]
        assert cutoff.columns[spec.name] == dates


#: Rules that pydantic reports for one field of any model (not a model's own row rule).
_FIELD_RULES = {
    "missing-value",
    "unexpected-value",
    "type-error",
    "out-of-range",
    "invalid-code",
    "pattern-mismatch",
    "unknown-column",
    "id-format",
}


def test_each_model_declares_the_row_rules_it_reports() -> None:
    """``row_rule_ids`` (published in the JSON Schemas) names every rule a model's row rules
    report in the row cases, and nothing they never report."""
    from registry.models import table_spec

    reported: dict[str, set[str]] = {}
    for _, table, _, rule, _ in INVALID:
        if rule not in _FIELD_RULES:
            reported.setdefault(table, set()).add(rule)
    for spec in TABLES:
        declared = set(spec.record.row_rule_ids) - _FIELD_RULES
        assert reported.get(spec.name, set()) == declared, spec.name
    # the defect the issue found: a recurrence of itself is fk-missing, and was not declared
    assert "fk-missing" in table_spec("vte_events").record.row_rule_ids
