"""The FHIR export: every resource parses with fhir.resources, references resolve inside the
export, the counts go round trip, and bad sources are refused in one line."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from registry.cli import app
from registry.fhir import export_fhir
from tests.conftest import Registry, Validated


def _resources(folder: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.ndjson")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out[path.stem] = [json.loads(line) for line in lines]
        assert all(r["resourceType"] == path.stem for r in out[path.stem])
    return out


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _csv(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def exported(clean_cohort: Validated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fhir") / "out"
    export_fhir(out, submission=clean_cohort.folder)
    return out


def test_every_resource_parses_with_fhir_resources(exported: Path) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    resources = _resources(exported)
    assert set(resources) == {
        "Patient",
        "Condition",
        "MedicationRequest",
        "MedicationAdministration",
        "Observation",
        "Procedure",
        "AdverseEvent",
    }
    for kind, items in resources.items():
        model = get_fhir_model_class(kind)
        for item in items:
            model.model_validate(item)  # raises on anything R4B does not allow


def test_references_resolve_inside_the_export(exported: Path) -> None:
    resources = _resources(exported)
    ids = {f"{kind}/{r['id']}" for kind, items in resources.items() for r in items}
    dangling = {ref for items in resources.values() for r in items for ref in _references(r)} - ids
    assert dangling == set()


def test_counts_go_round_trip(exported: Path, clean_cohort: Validated) -> None:
    folder = clean_cohort.folder
    resources = _resources(exported)
    kinds = Counter(
        c["code"]["coding"][-1]["system"].rsplit("/", 1)[-1] for c in resources["Condition"]
    )
    assert kinds["vte-site"] == len(_csv(folder, "vte_events"))
    assert kinds["immunophenotype"] == len(_csv(folder, "patients"))
    assert len(resources["Patient"]) == len(_csv(folder, "patients"))
    assert len(resources["MedicationRequest"]) == len(_csv(folder, "anticoagulation_courses"))
    assert len(resources["MedicationAdministration"]) == len(_csv(folder, "asparaginase_doses"))
    assert len(resources["Observation"]) == len(_csv(folder, "lab_results")) + len(
        _csv(folder, "thrombophilia_tests")
    )
    assert len(resources["AdverseEvent"]) == len(_csv(folder, "bleeding_events"))
    catheters = _csv(folder, "catheters")
    removed = sum(1 for c in catheters if c["removal_date"])
    assert len(resources["Procedure"]) == len(catheters) + removed + len(
        _csv(folder, "vte_interventions")
    )


def test_codings_carry_standard_and_project_codes(exported: Path) -> None:
    resources = _resources(exported)
    platelets = next(
        o for o in resources["Observation"] if o["code"]["coding"][-1]["code"] == "platelets"
    )
    assert platelets["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "777-3",
        "display": "Platelets [#/volume] in Blood by Automated count",
    }
    assert platelets["valueQuantity"]["system"] == "http://unitsofmeasure.org"
    assert platelets["valueQuantity"]["code"] == "10*9/L"
    enox = next(
        m
        for m in resources["MedicationRequest"]
        if m["medicationCodeableConcept"]["coding"][-1]["code"] == "enoxaparin"
    )
    systems = [c["system"] for c in enox["medicationCodeableConcept"]["coding"]]
    assert systems[:2] == [
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://www.whocc.no/atc",
    ]


def test_patients_carry_the_pseudonym_only(exported: Path) -> None:
    for patient in _resources(exported)["Patient"]:
        assert not {"name", "birthDate", "address", "telecom"} & set(patient)
        assert patient["identifier"][0]["value"] == patient["id"]


def test_the_database_exports_the_same(registry_db: Registry, tmp_path: Path) -> None:
    out = tmp_path / "db"
    result = export_fhir(out, url=registry_db.url)
    resources = _resources(out)
    patients = sum(len(_csv(f, "patients")) for f in registry_db.folders.values())
    assert len(resources["Patient"]) == patients == result.counts["Patient"]
    events = sum(len(_csv(f, "vte_events")) for f in registry_db.folders.values())
    assert sum(1 for c in resources["Condition"] if not c["id"].endswith("-ALL")) == events


def test_a_submission_with_errors_is_refused(defect_cohort: Validated, tmp_path: Path) -> None:
    from registry.validation.validate import SubmissionHasErrors

    out = tmp_path / "out"
    with pytest.raises(SubmissionHasErrors, match="error findings"):
        export_fhir(out, submission=defect_cohort.folder)
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{sub}"], "give SUBMISSION OUT"),
        (["--db", "sqlite:///{tmp}/none.sqlite", "{tmp}/a", "{tmp}/b"], "only OUT"),
        (["--db", "sqlite:///{tmp}/none.sqlite", "{tmp}/out"], "no database"),
        (["{tmp}/missing", "{tmp}/out"], "missing"),
    ],
    ids=["one-path", "db-and-two-paths", "no-database", "no-submission"],
)
def test_cli_refuses_in_one_line(
    clean_cohort: Validated, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.format(sub=clean_cohort.folder, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(app, ["export", "fhir", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
