"""REDCap data dictionaries: the registry CRF (one instrument per table) and the survey.

The registry's REDCap project uses ``patient_id`` as its record ID (the first field). Every
other table is a *repeating instrument*: a row's own ID is not entered but made from the
record and the repeat instance (``<patient_id>-C<instance>``), and a reference to another
record of the same patient is entered as that record's instance number. Variable names are
the field names with a per-form prefix, because REDCap needs names unique across a project
(``date`` occurs in four tables).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from registry import csvfile
from registry.export.common import (
    BINDING_COLUMNS,
    GENERATED_NOTICE,
    FieldFacts,
    binding_text,
    field_facts,
    write_text,
)
from registry.models import TABLES
from registry.models.survey import ITEMS, Item
from registry.models.survey import SurveyResponseRecord as _Survey

__all__ = [
    "REDCAP_COLUMNS",
    "REGISTRY_FILE",
    "REPEATING_FILE",
    "SURVEY_FILE",
    "SURVEY_FORM",
    "RedcapVar",
    "registry_dictionary",
    "registry_variables",
    "repeating_instruments",
    "survey_dictionary",
    "write_redcap_dictionaries",
]

#: REDCap's data dictionary columns, exactly and in order.
REDCAP_COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
REGISTRY_FILE = "redcap_registry_dictionary.csv"
SURVEY_FILE = "redcap_survey_dictionary.csv"
REPEATING_FILE = "redcap_repeating_instruments.csv"
SURVEY_FORM = "vte_practice_survey"
MAX_NAME = 26  # REDCap's recommended maximum for variable names

#: Variable-name prefix per form (patients, the record's own form, has none).
FORM_PREFIX = {
    "patients": "",
    "treatment_phases": "ph_",
    "catheters": "cvc_",
    "asparaginase_doses": "asp_",
    "thrombophilia_tests": "thr_",
    "vte_events": "vte_",
    "anticoagulation_courses": "ac_",
    "dose_adjustments": "adj_",
    "lab_results": "lab_",
    "bleeding_events": "bl_",
    "vte_assessments": "fu_",
    "vte_interventions": "int_",
}
#: Shorter stems where prefix + field name would exceed 26 characters.
_SHORT = {
    ("vte_events", "fibrinogen_at_diagnosis"): "fibrinogen_at_dx",
    ("vte_events", "antithrombin_at_diagnosis"): "antithrombin_at_dx",
    ("vte_events", "platelets_at_diagnosis"): "platelets_at_dx",
    ("vte_events", "csvt_infarct_or_hemorrhage"): "csvt_infarct_or_hem",
    ("bleeding_events", "surgery_in_operating_suite"): "surgery_in_or",
    ("bleeding_events", "intervention_to_restore_hemostasis"): "hemostasis_intervention",
}

VarKind = Literal["record_id", "value", "instance_ref"]


@dataclass(frozen=True)
class RedcapVar:
    """How one registry field appears in the REDCap project."""

    table: str
    field: str
    variable: str
    kind: VarKind
    #: For ``instance_ref``: the table whose instance number the variable holds.
    target: str | None = None


def registry_variables() -> list[RedcapVar]:
    """Every registry field that has a REDCap variable, in dictionary order."""
    out: list[RedcapVar] = []
    for spec in TABLES:
        for name, info in spec.record.model_fields.items():
            if spec.name != "patients" and name in (spec.id_field, "patient_id"):
                continue  # made from the record ID and the repeat instance
            stem = _SHORT.get((spec.name, name), name)
            fk = field_facts(name, info).foreign_key
            if fk and not fk.startswith("patients."):
                stem = stem.removesuffix("_id")  # holds an instance number, not an ID
            variable = FORM_PREFIX[spec.name] + stem
            if spec.name == "patients" and name == "patient_id":
                out.append(RedcapVar(spec.name, name, variable, "record_id"))
            elif fk and not fk.startswith("patients."):
                out.append(RedcapVar(spec.name, name, variable, "instance_ref", fk.split(".")[0]))
            else:
                out.append(RedcapVar(spec.name, name, variable, "value"))
    return out


def _empty_row() -> dict[str, str]:
    return dict.fromkeys(REDCAP_COLUMNS, "")


def _choices(facts: FieldFacts) -> str:
    assert facts.codes is not None
    return " | ".join(f"{m.value}, {m.label}" for m in facts.codes)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _typed(row: dict[str, str], facts: FieldFacts) -> None:
    """Field type, choices and validation for a field of the given kind."""
    if facts.kind == "code":
        row["Field Type"] = "radio" if len(facts.codes or ()) <= 4 else "dropdown"
        row["Choices, Calculations, OR Slider Labels"] = _choices(facts)
    elif facts.kind == "bool":
        row["Field Type"] = "yesno"
    else:
        row["Field Type"] = "text"
        validation = {
            "date": "date_ymd",
            "int": "integer",
            "decimal": "number",
            "datetime": "datetime_seconds_ymd",
        }.get(facts.kind, "")
        row["Text Validation Type OR Show Slider Number"] = validation
        if validation in ("integer", "number"):
            row["Text Validation Min"] = _number(facts.minimum)
            row["Text Validation Max"] = _number(facts.maximum)


def _note(facts: FieldFacts) -> str:
    parts = []
    if facts.unit:
        parts.append(facts.unit)
    if facts.exclusive_minimum is not None:
        parts.append(f"> {_number(facts.exclusive_minimum)}")
    if facts.conditional is not None and not facts.required:
        parts.append(facts.conditional.text())
    return "; ".join(parts)


def _standard_codes(facts: FieldFacts) -> str:
    """The standard codes of a coded field's choices, as free text (REDCap keeps annotations
    that are not action tags as documentation), e.g. ``SNOMED CT: picc=...; LOINC: ...``."""
    parts = [
        f"{column.upper().replace('_', '-')}: {text.replace(' = ', '=').replace(' | ', '; ')}"
        for system, column in BINDING_COLUMNS.items()
        if (text := binding_text(facts.codes, system))
    ]
    return " / ".join(parts)


def registry_dictionary() -> list[dict[str, str]]:
    """The registry CRF as REDCap dictionary rows: one instrument per table."""
    variables = {(v.table, v.field): v for v in registry_variables()}
    rows = []
    for spec in TABLES:

        def var(name: str, _table: str = spec.name) -> str:
            return variables[(_table, name)].variable

        for name, info in spec.record.model_fields.items():
            rv = variables.get((spec.name, name))
            if rv is None:
                continue
            facts = field_facts(name, info)
            row = _empty_row()
            row["Variable / Field Name"] = rv.variable
            row["Form Name"] = spec.name
            row["Field Label"] = facts.description
            if rv.kind == "instance_ref":
                row["Field Type"] = "text"
                row["Text Validation Type OR Show Slider Number"] = "integer"
                row["Text Validation Min"] = "1"
                row["Field Label"] = (
                    f"{facts.description} Enter the instance number of the '{rv.target}' form."
                )
            else:
                _typed(row, facts)
            row["Field Note"] = _note(facts)
            cond = facts.conditional
            if cond is not None and cond.shown is not None:
                row["Branching Logic (Show field only if...)"] = cond.shown.redcap(var)
            # A required field hidden by branching is not enforced by REDCap: "iff" works.
            shown_iff = cond is not None and cond.shown is not None and cond.shown == cond.required
            if facts.required or shown_iff:
                row["Required Field?"] = "y"
            if rv.kind == "record_id":
                row["Field Annotation"] = GENERATED_NOTICE
            elif standard := _standard_codes(facts):
                row["Field Annotation"] = standard
            rows.append(row)
    return rows


#: Fields piped into the label of each repeat instance, so instances can be told apart.
_INSTANCE_LABEL = {
    "treatment_phases": ("phase", "start_date"),
    "catheters": ("catheter_type", "insertion_date"),
    "asparaginase_doses": ("product", "administration_date"),
    "thrombophilia_tests": ("test", "sample_date"),
    "vte_events": ("site", "diagnosis_date"),
    "anticoagulation_courses": ("agent", "start_date"),
    "dose_adjustments": ("action", "date"),
    "lab_results": ("test", "date"),
    "bleeding_events": ("site", "date"),
    "vte_assessments": ("thrombus_response", "date"),
    "vte_interventions": ("type", "date"),
}


def repeating_instruments() -> list[dict[str, str]]:
    """Forms to enable as repeating instruments (REDCap: 'Upload repeating instruments')."""
    return [
        {
            "form_name": table,
            "custom_form_label": " ".join(f"[{FORM_PREFIX[table]}{f}]" for f in fields),
        }
        for table, fields in _INSTANCE_LABEL.items()
    ]


def _survey_row(it: Item, number: int, section: str) -> list[dict[str, str]]:
    row = _empty_row()
    row["Variable / Field Name"] = it.id
    row["Form Name"] = SURVEY_FORM
    row["Section Header"] = section
    row["Field Label"] = it.label
    row["Question Number (surveys only)"] = str(number)
    if it.kind in ("single", "multi"):
        assert it.codes is not None
        row["Field Type"] = "checkbox" if it.kind == "multi" else "radio"
        row["Choices, Calculations, OR Slider Labels"] = " | ".join(
            f"{m.value}, {m.label}" for m in it.codes
        )
        if it.exclusive:
            row["Field Annotation"] = " ".join(f"@NONEOFTHEABOVE='{c}'" for c in it.exclusive)
    elif it.kind == "int":
        row["Field Type"] = "text"
        row["Text Validation Type OR Show Slider Number"] = "integer"
        row["Text Validation Min"] = _number(it.low)
        row["Text Validation Max"] = _number(it.high)
    else:
        row["Field Type"] = "notes"
        row["Field Note"] = "Do not enter names or other identifiers."
    if it.only_if is not None:
        row["Branching Logic (Show field only if...)"] = it.only_if.redcap(str)
    if it.required:
        row["Required Field?"] = "y"
    return [row]


def survey_dictionary() -> list[dict[str, str]]:
    """The 44-item survey as one REDCap instrument (record ID ``response_id``)."""
    first = _empty_row()
    first.update(
        {
            "Variable / Field Name": "response_id",
            "Form Name": SURVEY_FORM,
            "Field Type": "text",
            "Field Label": "Response ID",
            "Field Annotation": f"@HIDDEN-SURVEY {GENERATED_NOTICE}",
        }
    )
    started = _empty_row()
    started.update(
        {
            "Variable / Field Name": "started_at",
            "Form Name": SURVEY_FORM,
            "Field Type": "text",
            "Field Label": _Survey.model_fields["started_at"].description or "",
            "Text Validation Type OR Show Slider Number": "datetime_seconds_ymd",
            "Field Annotation": "@HIDDEN @NOW",
        }
    )
    rows = [first, started]
    section = ""
    for number, it in enumerate(ITEMS, start=1):
        header = it.section if it.section != section else ""
        section = it.section
        rows.extend(_survey_row(it, number, header))
    return rows


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> str:
    buffer = io.StringIO()
    writer = csvfile.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_redcap_dictionaries(folder: Path) -> list[Path]:
    return [
        write_text(folder / REGISTRY_FILE, _csv(registry_dictionary(), REDCAP_COLUMNS)),
        write_text(folder / SURVEY_FILE, _csv(survey_dictionary(), REDCAP_COLUMNS)),
        write_text(
            folder / REPEATING_FILE,
            _csv(repeating_instruments(), ("form_name", "custom_form_label")),
        ),
    ]
