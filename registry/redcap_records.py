"""REDCap records of the registry project, both ways.

``import_redcap`` turns a REDCap flat export of the registry project (raw or label headers,
raw or label values) into a submission folder; ``export_redcap_records`` writes a submission
as the CSV REDCap imports. The project is the one ``registry_dictionary`` describes: the
record is the patient (``patient_id``), every other table a repeating instrument whose rows
get their IDs from the record and the repeat instance (``<patient_id>-C<instance>``), and a
reference to another record of the patient holds that record's instance number.

Nothing is dropped silently: a value, column or row that cannot be mapped becomes a finding
naming the REDCap record, instrument and instance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from registry import csvfile
from registry.export.redcap import RedcapVar, registry_dictionary, registry_variables
from registry.models import TABLES, table_spec
from registry.submission import write_submission
from registry.validation.findings import Finding, finding
from registry.validation.reading import read_submission
from registry.validation.table_files import read_csv
from registry.version import __version__

__all__ = ["ImportResult", "export_redcap_records", "import_redcap"]

REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
#: Columns REDCap adds that carry no registry data.
SYSTEM_COLUMNS = {"redcap_data_access_group", "redcap_event_name", "redcap_survey_identifier"}
_FIXED_LABELS = {
    "Repeat Instrument": REPEAT_INSTRUMENT,
    "Repeat Instance": REPEAT_INSTANCE,
    "Data Access Group": "redcap_data_access_group",
    "Event Name": "redcap_event_name",
    "Complete?": "form_complete",
}
_YESNO = {"Yes": "1", "No": "0"}
_COMPLETE = {"Incomplete": "0", "Unverified": "1", "Complete": "2"}


@dataclass
class ImportResult:
    folder: Path | None
    counts: dict[str, int]
    findings: list[Finding] = field(default_factory=list)


def _variables() -> tuple[dict[str, RedcapVar], dict[str, list[RedcapVar]]]:
    by_var = {v.variable: v for v in registry_variables()}
    by_table: dict[str, list[RedcapVar]] = defaultdict(list)
    for v in by_var.values():
        by_table[v.table].append(v)
    return by_var, by_table


def _prefix(table: str) -> str:
    return table_spec(table).record.id_prefix or ""


@cache
def _label_maps() -> tuple[dict[str, str], dict[str, dict[str, str]], set[str]]:
    """Label header -> variable; per variable, choice label -> code; yes/no variables."""
    headers = dict(_FIXED_LABELS)
    choices: dict[str, dict[str, str]] = {}
    yesno = set()
    for row in registry_dictionary():
        var = row["Variable / Field Name"]
        headers[row["Field Label"]] = var
        if row["Choices, Calculations, OR Slider Labels"]:
            choices[var] = {
                label: code
                for code, label in (
                    c.split(", ", 1)
                    for c in row["Choices, Calculations, OR Slider Labels"].split(" | ")
                )
            }
        if row["Field Type"] == "yesno":
            yesno.add(var)
    return headers, choices, yesno


def _form_names() -> dict[str, str]:
    """Repeat-instrument value (form name, or its label in a label export) -> table."""
    out = {}
    for spec in TABLES:
        out[spec.name] = spec.name
        out[spec.name.replace("_", " ").title()] = spec.name  # REDCap's default form label
    return out


def import_redcap(
    export: Path, out: Path, site: str | None = None, cutoff: dt.date | None = None
) -> ImportResult:
    """Write a submission folder from a REDCap export; findings say what could not be mapped."""
    from registry.validation.inputs import UnusableInput

    findings: list[Finding] = []
    data = Path(export).read_bytes()
    export_file = read_csv(Path(export), data, "redcap_export", findings)
    if export_file is None:  # empty, damaged, or not comma-separated: one line says which
        raise UnusableInput(findings[0].message if findings else f"{export} is unreadable")
    header = export_file.columns
    by_var, _ = _variables()
    headers, choices, yesno = _label_maps()
    label_values = False
    if "patient_id" not in header and REPEAT_INSTRUMENT not in header:
        header = [headers.get(h, h) for h in header]  # label headers
        label_values = True
    if "patient_id" not in header:
        raise UnusableInput(
            "the export has no patient_id column (the record ID of the registry project)"
        )
    forms = _form_names()
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unknown = [
        h
        for h in header
        if h not in by_var
        and h not in SYSTEM_COLUMNS
        and h not in (REPEAT_INSTRUMENT, REPEAT_INSTANCE)
        and not h.endswith("_complete")
    ]
    for column in unknown:
        findings.append(
            finding(
                "unknown-column",
                f"REDCap column {column!r} is not a field of "
                "the registry project; it was not imported",
                table=None,
                field=column,
            )
        )
    for index, row in enumerate(export_file.rows):
        if index in export_file.excluded:
            continue  # a row of the wrong width or another encoding: reported by the reader
        line = export_file.lines[index]
        raw = {
            name: row.get(column, "")
            for name, column in zip(header, export_file.columns, strict=True)
        }
        record = raw.get("patient_id", "")
        instrument = raw.get(REPEAT_INSTRUMENT, "")
        instance = raw.get(REPEAT_INSTANCE, "")
        where = (
            f"record {record or '?'}, instrument {instrument or 'patients'}, "
            f"instance {instance or '-'} (line {line})"
        )
        table = forms.get(instrument, "") if instrument else "patients"
        if not table:
            findings.append(
                finding(
                    "unknown-column",
                    f"{where}: unknown repeating instrument "
                    f"{instrument!r}; the row was not imported",
                    record_id=record or None,
                    field=REPEAT_INSTRUMENT,
                    value=instrument,
                )
            )
            continue
        if table != "patients" and not instance.isdigit():
            findings.append(
                finding(
                    "type-error",
                    f"{where}: repeat instance {instance!r} is not "
                    "a number; the row was not imported",
                    table=table,
                    record_id=record or None,
                    field=REPEAT_INSTANCE,
                    value=instance,
                )
            )
            continue
        out_row: dict[str, Any] = {}
        for variable, value in raw.items():
            rv = by_var.get(variable)
            if rv is None or rv.kind == "record_id" or value == "":
                continue  # the record ID is on every row; it is set below
            if rv.table != table:
                findings.append(
                    finding(
                        "unexpected-value",
                        f"{where}: {variable} belongs to {rv.table}, not to "
                        "this row's instrument; the value was not imported",
                        table=table,
                        record_id=record or None,
                        field=variable,
                        value=value,
                    )
                )
                continue
            if label_values:
                if variable in yesno:
                    value = _YESNO.get(value, value)
                elif variable in choices:
                    value = choices[variable].get(value, value)
            if rv.kind == "instance_ref":
                if not value.isdigit():
                    findings.append(
                        finding(
                            "type-error",
                            f"{where}: {variable} should be the instance number of "
                            f"a {rv.target} form, not {value!r}",
                            table=table,
                            record_id=record or None,
                            field=rv.field,
                            value=value,
                        )
                    )
                    continue
                value = f"{record}-{_prefix(rv.target or '')}{int(value)}"
            out_row[rv.field] = value
        if table != "patients":
            out_row[table_spec(table).id_field] = f"{record}-{_prefix(table)}{int(instance)}"
            out_row["patient_id"] = record
        else:
            out_row["patient_id"] = record
        tables[table].append(out_row)
    site_id = site or _site_of(tables.get("patients", []))
    manifest = {
        "site_id": site_id,
        "submission_id": str(
            uuid.uuid5(uuid.NAMESPACE_URL, "redcap:" + hashlib.sha256(data).hexdigest())
        ),
        "data_cutoff_date": (cutoff or dt.datetime.now(dt.UTC).date()).isoformat(),
        "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "generator": f"all-vte-registry {__version__} REDCap import",
    }
    ordered = {spec.name: tables.get(spec.name, []) for spec in TABLES}
    for name, rows_ in ordered.items():  # REDCap exports records in any order: sort by ID
        id_field = table_spec(name).id_field
        rows_.sort(key=partial(_record_key, id_field))
    write_submission(out, ordered, manifest)
    return ImportResult(out, {k: len(v) for k, v in ordered.items()}, findings)


def _record_key(id_field: str, row: dict[str, Any]) -> tuple[str, int]:
    return _id_key(str(row.get(id_field, "")))


def _id_key(record_id: str) -> tuple[str, int]:
    head, _, tail = record_id.rpartition("-")
    digits = tail[1:]
    return (head, int(digits)) if digits.isdigit() else (record_id, 0)


def _site_of(patients: list[dict[str, Any]]) -> str:
    sites = {str(p.get("site_id") or p.get("patient_id", "").split("-")[0]) for p in patients}
    return sites.pop() if len(sites) == 1 else "UNKNOWN"


def export_redcap_records(submission: Path, out: Path) -> tuple[int, list[Finding]]:
    """Write a submission as a REDCap flat import file (raw values); returns rows written.
    A submission with error findings is refused (``SubmissionHasErrors``): nothing is
    written."""
    from registry.validation.validate import valid_submission

    with valid_submission(submission):
        pass
    sub = read_submission(submission)
    findings = list(sub.findings)
    _, by_table = _variables()
    columns = ["patient_id", REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    columns += [v.variable for v in registry_variables() if v.kind != "record_id"]
    columns += [f"{spec.name}_complete" for spec in TABLES]
    lines: list[dict[str, str]] = []
    for spec in TABLES:
        raw = sub.tables.get(spec.name)
        if raw is None:
            continue
        for index, row in enumerate(raw.rows):
            record = row.get("patient_id", "")
            out_row = {"patient_id": record, f"{spec.name}_complete": "2"}
            if spec.name != "patients":
                own = row.get(spec.id_field, "")
                instance = own.rpartition("-")[2][1:]
                if not own.startswith(f"{record}-") or not instance.isdigit():
                    findings.append(
                        finding(
                            "id-format",
                            f"{spec.name} row {index + 1}: {own!r} gives no repeat "
                            "instance; the row was not exported",
                            table=spec.name,
                            row=index + 1,
                            record_id=own or None,
                            field=spec.id_field,
                        )
                    )
                    continue
                out_row[REPEAT_INSTRUMENT] = spec.name
                out_row[REPEAT_INSTANCE] = str(int(instance))
            for rv in by_table[spec.name]:
                if rv.kind == "record_id":
                    continue
                value = row.get(rv.field, "")
                if rv.kind == "instance_ref" and value:
                    value = value.rpartition("-")[2][1:]
                if rv.variable in _yesno_vars():
                    value = _FLAG.get(value.lower(), value)
                out_row[rv.variable] = value
            lines.append(out_row)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csvfile.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(lines)
    return len(lines), findings


_FLAG = {"true": "1", "yes": "1", "1": "1", "false": "0", "no": "0", "0": "0"}


@cache
def _yesno_vars() -> set[str]:
    return {r["Variable / Field Name"] for r in registry_dictionary() if r["Field Type"] == "yesno"}
