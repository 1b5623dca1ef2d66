"""Reading survey exports: this package's CSV, or a REDCap export (raw or label headers).

REDCap writes a survey instrument as: the record ID (``response_id``), ``redcap_survey_identifier``,
``<form>_timestamp`` (submission time, or ``[not completed]``), the fields, checkbox options as
``<item>___<code>`` (0/1 raw, Checked/Unchecked as labels), and ``<form>_complete``
(0 incomplete, 1 unverified, 2 complete). Label exports use field labels as headers (a
checkbox option is ``<label> (choice=<option label>)``) and option labels as values. Both
are mapped back to the model's fields and codes; what cannot be mapped becomes a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from registry.export.redcap import SURVEY_FORM
from registry.models.survey import EXPORT_FILE, ITEMS, checkbox_column
from registry.validation.findings import Finding
from registry.validation.inputs import UnusableInput
from registry.validation.table_files import read_csv

__all__ = ["TABLE", "SurveyExport", "read_survey"]

#: The table name findings about survey exports carry.
TABLE = "survey_responses"

TIMESTAMP = f"{SURVEY_FORM}_timestamp"
COMPLETE = f"{SURVEY_FORM}_complete"
_SYSTEM = {
    "redcap_survey_identifier",
    "redcap_data_access_group",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
}
_COMPLETE_LABELS = {"Complete": "1", "Incomplete": "0", "Unverified": "0"}
_COMPLETE_CODES = {"2": "1", "1": "0", "0": "0"}


@dataclass
class SurveyExport:
    source: Path
    rows: list[dict[str, str]]
    findings: list[Finding] = field(default_factory=list)
    flavour: str = "package"  # package | redcap-raw | redcap-labels


def _labels() -> dict[str, str]:
    """REDCap label header -> variable (our dictionary's labels)."""
    out = {
        "Response ID": "response_id",
        "Survey Identifier": "redcap_survey_identifier",
        "Survey Timestamp": TIMESTAMP,
        "Complete?": COMPLETE,
        "When the respondent opened the survey.": "started_at",
    }
    for it in ITEMS:
        if it.kind == "multi":
            assert it.codes is not None
            for member in it.codes:
                out[f"{it.label} (choice={member.label})"] = checkbox_column(it.id, member.value)
        else:
            out[it.label] = it.id
    return out


def _code_of_label() -> dict[str, dict[str, str]]:
    return {
        it.id: {m.label: m.value for m in it.codes}
        for it in ITEMS
        if it.kind == "single" and it.codes is not None
    }


def read_survey(path: Path) -> SurveyExport:
    """Read ``path`` (a CSV export, or a folder holding survey_responses.csv) with the
    registry's CSV reader: another encoding, another delimiter or a row of the wrong width is
    a finding naming its line, never silently guessed or cut."""
    path = Path(path)
    if path.is_dir():
        path = path / EXPORT_FILE
    if not path.is_file():
        raise UnusableInput(
            f"{path} does not exist (expected a survey export CSV or a folder "
            f"holding {EXPORT_FILE})"
        )
    findings: list[Finding] = []
    table = read_csv(path, path.read_bytes(), TABLE, findings)
    if table is None:  # empty, damaged, or not comma-separated: one line says which
        raise UnusableInput(findings[0].message if findings else f"{path.name} is unreadable")
    export = SurveyExport(path, [], findings)
    header = table.columns
    labels = _labels()
    if "response_id" not in header and "Response ID" in header:
        export.flavour = "redcap-labels"
        rename = {h: labels.get(h, h) for h in header}
    else:
        rename = {h: h for h in header}
        if TIMESTAMP in header or COMPLETE in header:
            export.flavour = "redcap-raw"
    decode = _code_of_label() if export.flavour == "redcap-labels" else {}
    for index, row in enumerate(table.rows):
        if index in table.excluded:
            continue  # reported by the reader
        raw = {rename[h]: row.get(h, "") for h in header}  # every column, blank = ""
        export.rows.append(_to_model(raw, export.flavour, decode))
    return export


def _to_model(
    raw: dict[str, str], flavour: str, decode: dict[str, dict[str, str]]
) -> dict[str, str]:
    if flavour == "package":
        return raw
    row = {k: v for k, v in raw.items() if k not in _SYSTEM and k not in (TIMESTAMP, COMPLETE)}
    stamp = raw.get(TIMESTAMP, "")
    row["submitted_at"] = "" if stamp.startswith("[") else stamp
    complete = raw.get(COMPLETE, "")
    mapping = _COMPLETE_LABELS if flavour == "redcap-labels" else _COMPLETE_CODES
    row["complete"] = mapping.get(complete, complete)
    if not row.get("started_at"):
        row["started_at"] = row["submitted_at"]  # older projects without the @NOW field
    if flavour == "redcap-labels":
        for name, value in list(row.items()):
            if "___" in name:
                row[name] = {"Checked": "1", "Unchecked": "0"}.get(value, value)
            elif name in decode and value:
                row[name] = decode[name].get(value, value)
    return row
