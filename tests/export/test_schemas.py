"""Published contracts: generated from the models, drift-tested, valid per their standards."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from registry import parse_row
from registry.export import write_schemas
from registry.export.jsonschema import schema_documents
from registry.export.redcap import REDCAP_COLUMNS, registry_variables
from registry.models import TABLES, Manifest, SurveyResponseRecord
from registry.models.survey import ITEMS
from registry.version import SCHEMA_VERSION
from tests.conftest import REPO
from tests.rows import VALID, VALID_MANIFEST, VALID_SURVEY

# The spec's field lists (shared/spec/registry.md), table by table: 133 fields (schema 1.1).
SPEC_FIELDS: dict[str, list[str]] = {
    "patients": [
        "patient_id",
        "site_id",
        "sex",
        "age_at_diagnosis_months",
        "diagnosis_date",
        "enrollment_date",
        "immunophenotype",
        "nci_risk_group",
        "wbc_at_diagnosis",
        "cns_status",
        "down_syndrome",
        "mediastinal_mass",
        "weight_kg_at_diagnosis",
        "height_cm_at_diagnosis",
        "protocol",
        "protocol_name",
        "induction_steroid",
        "prior_vte",
        "family_history_vte",
        "last_contact_date",
        "vital_status",
        "death_date",
        "cause_of_death",
        "off_study_reason",
    ],
    "treatment_phases": ["phase_id", "patient_id", "phase", "start_date", "end_date"],
    "catheters": [
        "catheter_id",
        "patient_id",
        "catheter_type",
        "insertion_vein",
        "side",
        "lumens",
        "insertion_date",
        "removal_date",
        "removal_reason",
        "tip_position",
    ],
    "asparaginase_doses": [
        "dose_id",
        "patient_id",
        "product",
        "dose",
        "dose_unit",
        "administration_date",
        "route",
        "hypersensitivity",
        "after_vte",
    ],
    "thrombophilia_tests": [
        "test_id",
        "patient_id",
        "test",
        "sample_date",
        "result_category",
        "result_value",
        "result_unit",
        "on_anticoagulation",
    ],
    "vte_events": [
        "event_id",
        "patient_id",
        "diagnosis_date",
        "site",
        "catheter_related",
        "catheter_id",
        "detection",
        "imaging",
        "occlusive",
        "phase_at_event",
        "platelets_at_diagnosis",
        "fibrinogen_at_diagnosis",
        "antithrombin_at_diagnosis",
        "on_prophylaxis",
        "recurrence_of_event_id",
        "side",
        "urgent_intervention",
        "life_threatening",
        "csvt_infarct_or_hemorrhage",
        "ctcae_grade",
        "ptwg_qualifying",
    ],
    "anticoagulation_courses": [
        "course_id",
        "patient_id",
        "event_id",
        "intent",
        "agent",
        "dose",
        "dose_unit",
        "frequency",
        "weight_kg",
        "start_date",
        "intended_duration",
        "stop_date",
        "stop_reason",
    ],
    "dose_adjustments": [
        "adjustment_id",
        "course_id",
        "patient_id",
        "date",
        "action",
        "reason",
        "platelets",
        "new_dose",
        "platelet_transfusion",
    ],
    "lab_results": ["lab_id", "patient_id", "date", "test", "value", "unit", "course_id"],
    "bleeding_events": [
        "bleed_id",
        "patient_id",
        "date",
        "site",
        "isth_category",
        "hemoglobin_drop_g_dl",
        "transfusion",
        "surgery_in_operating_suite",
        "intervention_to_restore_hemostasis",
        "sought_care",
        "fatal",
        "course_id",
    ],
    "vte_assessments": [
        "assessment_id",
        "event_id",
        "patient_id",
        "date",
        "imaging",
        "thrombus_response",
        "pts_instrument",
        "pts_score",
    ],
    "vte_interventions": [
        "intervention_id",
        "event_id",
        "patient_id",
        "date",
        "type",
        "agent",
        "result",
    ],
}
SCHEMAS = REPO / "schemas"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schemas")
    write_schemas(folder)
    return folder


def test_spec_has_133_fields_and_models_match_it() -> None:
    assert sum(len(v) for v in SPEC_FIELDS.values()) == 133
    assert {spec.name: spec.fields for spec in TABLES} == SPEC_FIELDS


def test_regenerating_changes_nothing(regenerated: Path) -> None:
    fresh = sorted(p.name for p in regenerated.iterdir())
    # the intake API's description is the application's, drift-tested in tests/intake
    committed = sorted(
        p.name for p in SCHEMAS.iterdir() if p.name not in ("README.md", "intake-openapi.json")
    )
    assert fresh == committed, "schemas/ lists other files than the generator writes"
    for name in fresh:
        assert (regenerated / name).read_bytes() == (SCHEMAS / name).read_bytes(), (
            f"schemas/{name} drifted from registry.models: run "
            "`vte-registry export schemas schemas` and commit"
        )


def test_every_file_says_it_is_generated_and_its_schema_version(regenerated: Path) -> None:
    for path in regenerated.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.name == "redcap_repeating_instruments.csv":
            continue  # REDCap's upload format has no room for a note (2 fixed columns)
        assert "Generated by" in text and f"schema version {SCHEMA_VERSION}" in text, path.name


@pytest.mark.parametrize("name", sorted(schema_documents()))
def test_json_schema_passes_the_2020_12_metaschema(name: str) -> None:
    doc = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)


def test_table_schemas_cover_all_133_fields() -> None:
    covered = 0
    for spec in TABLES:
        doc = json.loads((SCHEMAS / f"{spec.name}.schema.json").read_text(encoding="utf-8"))
        assert list(doc["properties"]) == SPEC_FIELDS[spec.name]
        covered += len(doc["properties"])
    assert covered == 133
    survey = json.loads((SCHEMAS / "survey_response.schema.json").read_text(encoding="utf-8"))
    items = {name.split("___")[0] for name in survey["properties"]}
    assert {it.id for it in ITEMS} <= items and len(ITEMS) == 44


def _validator(name: str) -> jsonschema.Draft202012Validator:
    doc = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(doc, format_checker=jsonschema.FormatChecker())


def _typed(model: Any, data: dict[str, str]) -> dict[str, Any]:
    record = parse_row(model, data)
    assert not isinstance(record, list), record
    return record.model_dump(mode="json")


@pytest.mark.parametrize("table", [spec.name for spec in TABLES])
def test_json_schema_accepts_a_valid_row(table: str) -> None:
    sample = _typed(table, VALID[table])
    assert list(_validator(f"{table}.schema.json").iter_errors(sample)) == []


def test_json_schema_accepts_valid_manifest_and_survey() -> None:
    assert (
        list(_validator("manifest.schema.json").iter_errors(_typed(Manifest, VALID_MANIFEST))) == []
    )
    assert (
        list(
            _validator("survey_response.schema.json").iter_errors(
                _typed(SurveyResponseRecord, VALID_SURVEY)
            )
        )
        == []
    )


# (id, table, change applied to a valid typed row)
INVALID_TYPED: list[tuple[str, str, dict[str, Any]]] = [
    ("code", "patients", {"sex": "m"}),
    ("range-high", "patients", {"age_at_diagnosis_months": 264}),
    ("range-low", "patients", {"wbc_at_diagnosis": 0}),
    ("type", "patients", {"down_syndrome": "maybe"}),
    ("pattern", "patients", {"patient_id": "NYC01-IIIIIIII"}),
    ("length", "patients", {"protocol_name": "x" * 41}),
    ("extra", "patients", {"mrn": "00123456"}),
    ("date-format", "catheters", {"insertion_date": "2021-13-01"}),
    ("exclusive-minimum", "asparaginase_doses", {"dose": 0}),
    ("record-id", "vte_events", {"event_id": "V1"}),
    ("integer", "vte_events", {"ctcae_grade": 2.5}),
    ("null-required", "lab_results", {"value": None}),
]


@pytest.mark.parametrize(
    ("table", "change"), [pytest.param(t, c, id=i) for i, t, c in INVALID_TYPED]
)
def test_json_schema_rejects_an_invalid_row(table: str, change: dict[str, Any]) -> None:
    sample = {**_typed(table, VALID[table]), **change}
    assert list(_validator(f"{table}.schema.json").iter_errors(sample)), change


def test_json_schema_rejects_a_row_missing_a_required_field() -> None:
    sample = _typed("patients", VALID["patients"])
    del sample["diagnosis_date"]
    assert list(_validator("patients.schema.json").iter_errors(sample))


# --- REDCap ----------------------------------------------------------------------------------
_CHOICE = re.compile(r"^[a-z0-9_]+, [^|]+$")
_VALIDATIONS = {"", "date_ymd", "integer", "number", "datetime_seconds_ymd"}
_TYPES = {"text", "notes", "radio", "dropdown", "checkbox", "yesno"}


def _redcap(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SCHEMAS / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("name", ["redcap_registry_dictionary.csv", "redcap_survey_dictionary.csv"])
def test_redcap_dictionary_is_importable(name: str) -> None:
    header, rows = _redcap(name)
    assert header == list(REDCAP_COLUMNS)
    names = [r["Variable / Field Name"] for r in rows]
    assert len(names) == len(set(names)), "variable names must be unique in a project"
    forms_seen: list[str] = []
    choices_of: dict[str, set[str]] = {}
    for r in rows:
        var = r["Variable / Field Name"]
        assert re.match(r"^[a-z][a-z0-9_]*$", var) and len(var) <= 26, var
        assert r["Form Name"], var
        if not forms_seen or forms_seen[-1] != r["Form Name"]:
            assert r["Form Name"] not in forms_seen, f"form {r['Form Name']} is not contiguous"
            forms_seen.append(r["Form Name"])
        assert r["Field Type"] in _TYPES, var
        assert r["Text Validation Type OR Show Slider Number"] in _VALIDATIONS, var
        choices = r["Choices, Calculations, OR Slider Labels"]
        if r["Field Type"] in ("radio", "dropdown", "checkbox"):
            parts = choices.split(" | ")
            assert all(_CHOICE.match(p) for p in parts), (var, choices)
            choices_of[var] = {p.split(",")[0] for p in parts}
        else:
            assert choices == "", var
        for bound in ("Text Validation Min", "Text Validation Max"):
            if r[bound]:
                float(r[bound])
    for r in rows:  # branching logic names existing variables and codes
        logic = r["Branching Logic (Show field only if...)"]
        for var, code in re.findall(r"\[([a-z0-9_]+)(?:\(([a-z0-9_]+)\))?\]", logic):
            assert var in names, (r["Variable / Field Name"], logic)
            if code:
                assert code in choices_of[var], logic
        for var, value in re.findall(r"\[([a-z0-9_]+)\] (?:=|<>) '([a-z0-9_]+)'", logic):
            if var in choices_of:
                assert value in choices_of[var], logic
    assert rows[0]["Variable / Field Name"] in ("patient_id", "response_id")


def test_redcap_registry_has_an_instrument_per_table_and_record_id_first() -> None:
    _, rows = _redcap("redcap_registry_dictionary.csv")
    assert next(r["Form Name"] for r in rows) == "patients"
    assert list(dict.fromkeys(r["Form Name"] for r in rows)) == [s.name for s in TABLES]
    mapped = {(v.table, v.field) for v in registry_variables()}
    for spec in TABLES:
        for name in spec.fields:
            derived = spec.name != "patients" and name in (spec.id_field, "patient_id")
            assert ((spec.name, name) in mapped) != derived, (spec.name, name)


def test_redcap_survey_has_44_items_with_checkboxes_and_branching() -> None:
    _, rows = _redcap("redcap_survey_dictionary.csv")
    by_var = {r["Variable / Field Name"]: r for r in rows}
    assert all(it.id in by_var for it in ITEMS)
    assert by_var["q10_vte_types_treated"]["Field Type"] == "checkbox"
    assert by_var["q40_at_replace_threshold"]["Branching Logic (Show field only if...)"] == (
        "[q39_prophylaxis_agents(antithrombin_concentrate)] = '1'"
    )
    assert by_var["q01_practice_type"]["Required Field?"] == "y"


# --- Frictionless ----------------------------------------------------------------------------
def test_datapackage_keys() -> None:
    package = json.loads((SCHEMAS / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == [s.name for s in TABLES]
    for spec in TABLES:
        schema = resources[spec.name]["schema"]
        assert schema["primaryKey"] == [spec.id_field]
        assert [f["name"] for f in schema["fields"]] == SPEC_FIELDS[spec.name]
    fks = {
        (*fk["fields"], fk["reference"]["resource"], *fk["reference"]["fields"])
        for fk in resources["vte_events"]["schema"]["foreignKeys"]
    }
    assert fks == {
        ("patient_id", "patients", "patient_id"),
        ("catheter_id", "catheters", "catheter_id"),
        ("recurrence_of_event_id", "vte_events", "event_id"),
    }


def test_datapackage_passes_the_strict_descriptor_check() -> None:
    """frictionless's own metadata validation (e.g. foreign-key fields as lists)."""
    from frictionless import Package

    package = json.loads((SCHEMAS / "datapackage.json").read_text(encoding="utf-8"))
    assert [e.message for e in Package.metadata_validate(package)] == []


def test_published_forms_carry_the_bindings() -> None:
    from registry.models.bindings import BINDINGS

    rows = {
        (r["table"], r["field"]): r
        for r in csv.DictReader(
            line
            for line in (SCHEMAS / "data_dictionary.csv").read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
        )
    }
    site = rows[("vte_events", "site")]
    assert "pulmonary_embolism = 59282003" in site["snomed_ct"]
    assert "cerebral_sinovenous = I67.6" in site["icd10_cm"]
    assert "enoxaparin = 67108" in rows[("anticoagulation_courses", "agent")]["rxnorm"]
    assert "platelets = 777-3" in rows[("lab_results", "test")]["loinc"]
    assert "10e9_l = 10*9/L" in rows[("lab_results", "unit")]["ucum"]
    schema = json.loads((SCHEMAS / "vte_events.schema.json").read_text(encoding="utf-8"))
    bound = schema["$defs"]["VteSite"]["x-bindings"]
    assert {
        "system": "http://snomed.info/sct",
        "code": "59282003",
        "display": "Pulmonary embolism",
    } in bound["pulmonary_embolism"]
    package = json.loads((SCHEMAS / "datapackage.json").read_text(encoding="utf-8"))
    agent = next(
        f
        for r in package["resources"]
        if r["name"] == "anticoagulation_courses"
        for f in r["schema"]["fields"]
        if f["name"] == "agent"
    )
    assert agent["x-bindings"]["enoxaparin"][0]["code"] == "67108"
    with (SCHEMAS / "redcap_registry_dictionary.csv").open(encoding="utf-8") as handle:
        redcap = {r["Variable / Field Name"]: r for r in csv.DictReader(handle)}
    assert "SNOMED-CT: " in redcap["vte_site"]["Field Annotation"]
    assert "pulmonary_embolism=59282003" in redcap["vte_site"]["Field Annotation"]
    n_bound = sum(len(b) for b in BINDINGS.values())
    assert n_bound > 50


def test_datapackage_validates_the_valid_rows_with_frictionless(tmp_path: Path) -> None:
    import frictionless

    for spec in TABLES:
        with (tmp_path / f"{spec.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=spec.fields)
            writer.writeheader()
            writer.writerow(VALID[spec.name])
    (tmp_path / "datapackage.json").write_bytes((SCHEMAS / "datapackage.json").read_bytes())
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    bad = dict(VALID["patients"], sex="m")
    with (tmp_path / "patients.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TABLES[0].fields)
        writer.writeheader()
        writer.writerow(bad)
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


# --- conditional fields as if/then: any JSON Schema validator enforces them ------------------
CONDITIONAL_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("patients", {"vital_status": "dead"}, "a dead patient without death date"),
    ("patients", {"cause_of_death": "vte"}, "a cause of death for a patient alive"),
    ("patients", {"immunophenotype": "t_cell"}, "T-ALL with an NCI risk group"),
    ("patients", {"nci_risk_group": None}, "B-ALL aged 50 months without an NCI risk group"),
    ("vte_events", {"csvt_infarct_or_hemorrhage": True}, "a CSVT finding for an upper DVT"),
    ("vte_interventions", {"type": "systemic_thrombolysis"}, "thrombolysis without an agent"),
    ("dose_adjustments", {"new_dose": None}, "a reduction without its new dose"),
    ("dose_adjustments", {"action": "held"}, "a hold with a new dose"),
]


@pytest.mark.parametrize(
    ("table", "changes"),
    [pytest.param(t, c, id=i) for t, c, i in CONDITIONAL_CASES],
)
def test_json_schema_enforces_conditional_fields(table: str, changes: dict[str, Any]) -> None:
    valid = _typed(table, VALID[table])
    assert list(_validator(f"{table}.schema.json").iter_errors(valid)) == []
    broken = {**valid, **changes}
    assert list(_validator(f"{table}.schema.json").iter_errors(broken)) != []


def test_the_dictionary_says_which_schema_version_added_each_field() -> None:
    from registry.export.dictionary import data_dictionary_rows

    since = {(r["table"], r["field"]): r["since"] for r in data_dictionary_rows()}
    assert since[("patients", "sex")] == "1.0"
    assert since[("vte_events", "urgent_intervention")] == "1.1"
    assert since[("vte_interventions", "type")] == "1.1"
    added = {k for k, v in since.items() if v == "1.1"}
    assert len(added) == 133 - 117  # the fields case report form 1.1 added
