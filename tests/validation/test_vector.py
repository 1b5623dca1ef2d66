"""The column-wise conformance (registry/validation/vector.py) and the Arrow reader of plain
CSV files (arrow_rows.py) decide speed, never findings: a row the prefilter passes is one
pydantic accepts, with the same values; a file the Arrow reader takes gives the rows Python's
csv module gives; a report and a staging database are the same with the prefilter off."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import registry.validation.chunks as chunks_module
import registry.validation.validate as validate_module
from registry.models import TABLES, table_spec
from registry.models.facts import field_facts
from registry.validation.arrow_rows import ArrowRows, read_plain_csv
from registry.validation.conformance import clean_row, parse_rows
from registry.validation.staging import staging_engine
from registry.validation.table_files import read_csv
from registry.validation.vector import prefilter, vector_plan
from tests.conftest import Validated

#: The tables that hold nearly all rows of a submission (lab results, phases, doses, ...):
#: each must keep a column-wise form, or validation of a large submission slows several-fold.
LARGE_TABLES = (
    "patients",
    "treatment_phases",
    "catheters",
    "asparaginase_doses",
    "thrombophilia_tests",
    "lab_results",
)


@pytest.mark.parametrize("table", LARGE_TABLES)
def test_the_large_tables_are_read_column_wise(table: str) -> None:
    assert vector_plan(table_spec(table).record) is not None


# --- soundness: fuzzed rows, both paths ---------------------------------------------------
_NUMBERS = (
    "0", "1", "-1", "-0", "0.5", "2", "3", "5", "10", "12", "15", "25", "100", "199.9", "200",
    "250", "263", "264", "2000", "2001", "0.1", "0.09", "1e3", "1E-2", "+5", ".5", "5.",
    "1_000", "nan", "inf", "-inf", "1,5", "00.5", "007", "1.0", "1.2345678901234567890",
    "99999999999999999999", "\u0661", "\uff15", "abc",
)  # fmt: skip
_DATES = (
    "2021-02-28", "2021-02-29", "2020-02-29", "2021-13-01", "2021-00-10", "2021-04-31",
    "2021-01-00", "2021-1-5", "2021/01/05", "05/01/2021", "2021-01-05T00:00", "1999-12-01",
    "1999-12-02", "2000-01-01", "1999-12-31", "0000-01-01", "9999-12-31",
    "\uff12\uff10\uff12\uff11-01-05", "2021-01-05 ",
)  # fmt: skip
_FLAGS = ("true", "false", "TRUE", "True", "1", "0", "yes", "no", "Y", "t", "2", "on")


def _pool(table: str, name: str, valid_rows: list[dict[str, str]]) -> list[str | None]:
    """Cells to put into field ``name``: its values in the cohort and unusual ones."""
    info = table_spec(table).record.model_fields[name]
    facts = field_facts(name, info)
    seen = sorted({row[name] for row in valid_rows if name in row})[:6]
    pool: list[str | None] = [None, *seen]
    if facts.kind == "code" and facts.codes is not None:
        codes = [c.value for c in facts.codes]
        pool += [*codes, codes[0].upper(), codes[0] + "x", "x"]
    elif facts.kind in ("decimal", "int"):
        pool += _NUMBERS
    elif facts.kind == "date":
        pool += _DATES
    elif facts.kind == "bool":
        pool += _FLAGS
    else:  # IDs and text: another patient's, the wrong table letter, case, length
        other = [row[name] for row in valid_rows[-3:] if name in row]
        pool += other + [s.lower() for s in seen[:1]] + [s + "-X1" for s in seen[:1]]
        pool += [s.replace("-", "-Z", 1) for s in seen[:1]] + ["x" * 300, "A"]
    return pool


def _plain(value: Any) -> tuple[str, Any]:
    """A staged value as the database sees it (an enum member is its text)."""
    if isinstance(value, enum.Enum):
        value = value.value
    return type(value).__name__, value


def _fuzzed(table: str, rows: list[dict[str, str]], count: int, seed: int) -> list[dict]:
    fields = table_spec(table).fields
    pools = {name: _pool(table, name, rows) for name in fields}
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        row = dict(rng.choice(rows))
        for name in rng.sample(fields, rng.choice((1, 1, 2, 3))):
            value = rng.choice(pools[name])
            if value is None:
                row.pop(name, None)
            else:
                row[name] = value
        out.append(clean_row(row))  # as the reader delivers rows: trimmed, blanks left out
    return out


@pytest.mark.parametrize("table", (*LARGE_TABLES, "dose_adjustments", "vte_assessments"))
def test_a_row_the_prefilter_passes_is_one_pydantic_accepts(
    table: str, defect_cohort: Validated
) -> None:
    """Fuzzed rows (1-3 fields replaced by other codes, boundary numbers, impossible days,
    other layouts, another patient's IDs, blanks): every row the prefilter passes, pydantic
    accepts with the same typed values. The fuzz must reach both sides."""
    path = defect_cohort.folder / f"{table}.csv"
    source = read_csv(path, path.read_bytes(), table, [])
    assert source is not None
    rows = [dict(r) for r in source.rows]
    fuzzed = _fuzzed(table, rows, 6000, seed=len(table))
    spec = table_spec(table)
    pre = prefilter(spec.record, fuzzed)
    assert pre is not None
    parsed = parse_rows(spec.record, fuzzed, cleaned=True)
    accepted = dict(parsed.records)
    passed = pre.values()
    for index, values in passed:
        assert index in accepted, (fuzzed[index], [e for i, e in parsed.errors if i == index])
        expected = [getattr(accepted[index], name) for name in spec.fields]
        assert list(map(_plain, values)) == list(map(_plain, expected)), fuzzed[index]
    passed_rows = {i for i, _ in passed}
    assert passed_rows | set(pre.flagged) == set(range(len(fuzzed)))
    assert not passed_rows & set(pre.flagged)
    # not vacuous: rows pass, rows fail, and unusual but valid rows go to pydantic
    assert len(passed_rows) > 500
    assert len(fuzzed) - len(accepted) > 500
    kinds = {field_facts(n, i).kind for n, i in spec.record.model_fields.items()}
    if kinds & {"decimal", "int", "bool"}:  # "1e3", "+5", "TRUE": valid, left to pydantic
        assert len(set(accepted) - passed_rows) > 0


def test_a_prefilter_that_passed_a_bad_row_is_caught() -> None:
    """The check above can fail: a lab value outside its test's range, passed by a
    prefilter without the row rule, is a row pydantic refuses."""
    spec = table_spec("lab_results")
    row = {
        "lab_id": "SYN01-7F3K9Q2M-L1",
        "patient_id": "SYN01-7F3K9Q2M",
        "date": "2021-03-01",
        "test": "inr",
        "value": "40",
        "unit": "ratio",
    }
    pre = prefilter(spec.record, [row])
    assert pre is not None and pre.flagged == [0]
    assert parse_rows(spec.record, [row]).errors[0][1].rule == "out-of-range"
    within = prefilter(spec.record, [{**row, "value": "2.5"}])
    assert within is not None and [i for i, _ in within.values()] == [0]


# --- the whole report and the staging database, prefilter on and off ------------------------
def _staged(path: Path) -> dict[str, list[tuple[str, ...]]]:
    engine = staging_engine(path)
    with engine.connect() as db:
        dump = {
            spec.name: sorted(
                tuple(map(repr, row))
                for row in db.execute(text(f'SELECT * FROM "{spec.name}" ORDER BY "_row"'))
            )
            for spec in TABLES
        }
    engine.dispose()
    return dump


def _key(finding: object) -> tuple[str, ...]:
    fields = ("rule", "table", "row", "record_id", "field", "value", "message")
    return tuple(str(getattr(finding, k)) for k in fields)


@pytest.mark.parametrize("cohort", ["defect_cohort", "defect_parquet_cohort"])
def test_the_prefilter_changes_neither_findings_nor_staged_values(
    cohort: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: Validated = request.getfixturevalue(cohort)
    dumps, reports = [], []
    for on in (True, False):
        if not on:
            monkeypatch.setattr(chunks_module, "prefilter", lambda *args: None)
        with validate_module.checked_submission(validated.folder) as checked:
            reports.append(list(map(_key, checked.report.findings)))
            dumps.append(_staged(checked.staging))
    assert reports[0] == reports[1] == list(map(_key, validated.report.findings))
    assert dumps[0] == dumps[1]
    assert sum(len(rows) for rows in dumps[0].values()) == sum(validated.report.tables.values())


# --- the Arrow reader against Python's csv module -------------------------------------------
def _python_rows(data: bytes, table: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import registry.validation.table_files as table_files

    with monkeypatch.context() as patch:
        patch.setattr(table_files, "read_plain_csv", lambda *args: None)
        return table_files.read_csv(Path(f"{table}.csv"), data, table, [])


def _lab_file(line_end: str = "\n", pad: bool = False, order: list[str] | None = None) -> bytes:
    fields = order or table_spec("lab_results").fields
    rows = [
        {
            "lab_id": f"SYN01-7F3K9Q2M-L{n}",
            "patient_id": "SYN01-7F3K9Q2M",
            "date": "2021-03-01",
            "test": "platelets",
            "value": f"{n * 7}",
            "unit": "10e9_l",
            "course_id": "" if n % 2 else "SYN01-7F3K9Q2M-K1",
        }
        for n in range(1, 8)
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator=line_end)
    writer.writeheader()
    for row in rows:
        if pad:
            row = {k: f" {v}\t" if v else "  " for k, v in row.items()}
        writer.writerow(row)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_lab_file(), id="plain"),
        pytest.param(_lab_file("\r\n"), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + _lab_file("\r\n"), id="excel-csv-utf8-bom"),
        pytest.param(_lab_file(pad=True), id="padded-cells"),
        pytest.param(_lab_file().rstrip(b"\n"), id="no-final-newline"),
        pytest.param(
            _lab_file(order=list(reversed(table_spec("lab_results").fields))), id="other-order"
        ),
        pytest.param(_lab_file().split(b"\n")[0] + b"\n", id="header-only"),
    ],
)
def test_the_arrow_reader_reads_what_pythons_csv_reads(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = read_plain_csv(data, table_spec("lab_results").fields)
    assert plain is not None, "a plain file should be read by Arrow"
    header, rows = plain
    python = _python_rows(data, "lab_results", monkeypatch)
    assert header == python.columns
    assert list(rows) == list(python.rows)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_lab_file().replace(b"2021-03-01", b'"2021-03-01"', 1), id="quotes"),
        pytest.param(_lab_file().replace(b"platelets", "plättchen".encode(), 1), id="non-ascii"),
        pytest.param(_lab_file().replace(b"\n", b"\n\n", 2), id="blank-line"),
        pytest.param(_lab_file() + b"SYN01-7F3K9Q2M-L9,x\n", id="ragged-row"),
        pytest.param(_lab_file().replace(b"\n", b"\r", 2), id="lone-cr"),
        pytest.param(_lab_file().replace(b"platelets", b"platelets\x0c", 1), id="form-feed"),
        pytest.param(_lab_file().replace(b"unit", b"date", 1), id="duplicate-column"),
        pytest.param(_lab_file().replace(b",course_id", b",course_id,mrn", 1), id="extra-col"),
        pytest.param(_lab_file().replace(b",course_id", b"", 1), id="missing-column"),
        pytest.param(b"\n" + _lab_file(), id="leading-blank-line"),
    ],
)
def test_the_arrow_reader_leaves_anything_unusual_to_python(data: bytes) -> None:
    assert read_plain_csv(data, table_spec("lab_results").fields) is None


def test_arrow_rows_behave_as_a_list_of_rows() -> None:
    plain = read_plain_csv(_lab_file(), table_spec("lab_results").fields)
    assert plain is not None
    rows = plain[1]
    assert isinstance(rows, ArrowRows)
    listed = list(rows)
    assert len(rows) == len(listed) == 7
    assert rows[0] == listed[0] and rows[-1] == listed[-1]
    assert list(rows[2:5]) == listed[2:5]
    assert "course_id" not in rows[0] and rows[1]["course_id"] == "SYN01-7F3K9Q2M-K1"
    assert rows.column("course_id")[:2] == [None, "SYN01-7F3K9Q2M-K1"]
    with pytest.raises(IndexError):
        rows[7]


def test_dates_are_typed_as_dates() -> None:
    """A staged date is a date on both paths (not text, not a timestamp)."""
    spec = table_spec("treatment_phases")
    row = {
        "phase_id": "SYN01-7F3K9Q2M-P1",
        "patient_id": "SYN01-7F3K9Q2M",
        "phase": "induction",
        "start_date": "2021-03-01",
    }
    pre = prefilter(spec.record, [row])
    assert pre is not None
    [(_index, values)] = pre.values()
    assert values[spec.fields.index("start_date")] == dt.date(2021, 3, 1)
    assert values[spec.fields.index("end_date")] is None
