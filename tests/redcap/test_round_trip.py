"""REDCap round trip: a cohort out to REDCap's import format, back in, the same tables."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from registry.export.redcap import registry_dictionary, repeating_instruments
from registry.models import TABLES
from registry.redcap_records import export_redcap_records, import_redcap
from registry.synthetic import synthesize
from registry.validation.conformance import parse_rows
from registry.validation.reading import read_submission
from registry.validation.validate import validate_submission

CUTOFF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("rc") / "cohort", 250, seed=77).folder


def _records(folder: Path) -> dict[str, dict[str, object]]:
    sub = read_submission(folder)
    out = {}
    for spec in TABLES:
        raw = sub.tables.get(spec.name)
        parsed = parse_rows(spec.name, raw.rows if raw else [], cleaned=True)
        assert parsed.errors == []
        out[spec.name] = {getattr(r, spec.id_field): r.model_dump() for _, r in parsed.records}
    return out


def test_round_trip_gives_the_same_tables(cohort: Path, tmp_path: Path) -> None:
    written, findings = export_redcap_records(cohort, tmp_path / "redcap.csv")
    assert findings == [] and written == sum(
        1 for p in cohort.glob("*.csv") for _ in p.open()
    ) - len(TABLES)
    result = import_redcap(tmp_path / "redcap.csv", tmp_path / "back", cutoff=CUTOFF)
    assert result.findings == []
    assert _records(tmp_path / "back") == _records(cohort)
    assert validate_submission(tmp_path / "back").errors == 0


def _as_redcap_would(source: Path, target: Path, labels: bool) -> Path:
    """Rewrite our raw import file the way REDCap exports it: a DAG column and *_complete
    columns, and with labels for headers and values if asked."""
    dictionary = registry_dictionary()
    by_var = {r["Variable / Field Name"]: r for r in dictionary}
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    columns.insert(3, "redcap_data_access_group")
    forms = {spec.name: spec.name.replace("_", " ").title() for spec in TABLES}

    def header(col: str) -> str:
        fixed = {
            "redcap_repeat_instrument": "Repeat Instrument",
            "redcap_repeat_instance": "Repeat Instance",
            "redcap_data_access_group": "Data Access Group",
        }
        if not labels:
            return col
        if col in fixed:
            return fixed[col]
        if col.endswith("_complete"):
            return "Complete?"
        return by_var[col]["Field Label"]

    def value(col: str, v: str) -> str:
        if not labels or not v:
            return v
        if col == "redcap_repeat_instrument":
            return forms[v]
        if col.endswith("_complete"):
            return {"0": "Incomplete", "1": "Unverified", "2": "Complete"}[v]
        row = by_var.get(col)
        if row and row["Field Type"] == "yesno":
            return {"1": "Yes", "0": "No"}[v]
        if row and row["Choices, Calculations, OR Slider Labels"]:
            return dict(
                c.split(", ", 1)
                for c in row["Choices, Calculations, OR Slider Labels"].split(" | ")
            )[v]
        return v

    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)  # REDCap: BOM and CRLF
        writer.writerow([header(c) for c in columns])
        for row in rows:
            row["redcap_data_access_group"] = "site_a"
            writer.writerow([value(c, row.get(c, "")) for c in columns])
    return target


@pytest.mark.parametrize("labels", [False, True], ids=["raw", "labels"])
def test_redcap_exports_with_extra_columns_and_labels(
    cohort: Path, tmp_path: Path, labels: bool
) -> None:
    export_redcap_records(cohort, tmp_path / "ours.csv")
    path = _as_redcap_would(tmp_path / "ours.csv", tmp_path / "export.csv", labels)
    result = import_redcap(path, tmp_path / "back", site="SYN01", cutoff=CUTOFF)
    assert result.findings == []
    assert _records(tmp_path / "back") == _records(cohort)


def test_broken_values_become_findings_naming_record_instrument_instance(
    cohort: Path, tmp_path: Path
) -> None:
    export_redcap_records(cohort, tmp_path / "ours.csv")
    with (tmp_path / "ours.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [*rows[0], "notes_free_text"]
    phase = next(r for r in rows if r["redcap_repeat_instrument"] == "treatment_phases")
    phase["redcap_repeat_instance"] = "two"
    event = next(
        (r for r in rows if r["redcap_repeat_instrument"] == "vte_events" and r["vte_catheter"]),
        None,
    )
    assert event is not None
    event["vte_catheter"] = "C-1"
    lab = next(r for r in rows if r["redcap_repeat_instrument"] == "lab_results")
    lab["redcap_repeat_instrument"] = "lab_results_old"
    patient = next(r for r in rows if not r["redcap_repeat_instrument"])
    patient["cvc_lumens"] = "2"  # a catheter field on the patient's row
    with (tmp_path / "broken.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    result = import_redcap(tmp_path / "broken.csv", tmp_path / "back", cutoff=CUTOFF)
    messages = [f.message for f in result.findings]
    assert any("instrument treatment_phases, instance two" in m for m in messages)
    assert any("vte_catheter" in m and "instance number" in m for m in messages)
    assert any("unknown repeating instrument 'lab_results_old'" in m for m in messages)
    assert any("cvc_lumens belongs to catheters" in m for m in messages)
    assert any(f.rule == "unknown-column" and f.field == "notes_free_text" for f in result.findings)
    assert all(f"record {patient['patient_id']}" in m for m in messages if "cvc_lumens" in m)


def test_repeating_instruments_list_every_table_but_patients() -> None:
    forms = [r["form_name"] for r in repeating_instruments()]
    assert forms == [spec.name for spec in TABLES if spec.name != "patients"]
    assert all(r["custom_form_label"].startswith("[") for r in repeating_instruments())
