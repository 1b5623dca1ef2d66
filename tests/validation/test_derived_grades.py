"""The CTCAE grade derived in SQL (rule ctcae-inconsistent) equals the model's function
``ctcae_grade`` on every combination of its raw fields, in both directions."""

from __future__ import annotations

import itertools
from pathlib import Path

from registry.models.codes import VteSite
from registry.models.vte_events import ctcae_grade
from registry.validation.validate import validate_submission
from tests.rows import PID, VALID, write_submission

COMBINATIONS = list(
    itertools.product(
        (False, True),  # life_threatening
        (False, True),  # urgent_intervention
        ("cvc_upper_dvt", "pulmonary_embolism", "right_atrial"),
        (False, True),  # treated
    )
)


def _tables(wrong: bool) -> dict[str, list[dict[str, str]]]:
    tables: dict[str, list[dict[str, str]]] = {name: [] for name in VALID}
    for n, (threat, urgent, site, treated) in enumerate(COMBINATIONS):
        pid = f"NYC01-{n:08d}"
        rows = {
            name: {k: v.replace(PID, pid) for k, v in row.items()} for name, row in VALID.items()
        }
        grade = ctcae_grade(
            died_of_event=False,
            life_threatening=threat,
            urgent_intervention=urgent,
            site=VteSite(site),
            treated=treated,
        )
        event = rows["vte_events"]
        event.update(
            life_threatening=str(threat).lower(),
            urgent_intervention=str(urgent).lower(),
            ctcae_grade=str(grade % 4 + 1 if wrong else grade),
        )
        if site != "cvc_upper_dvt":
            event.update(site=site, catheter_related="false", catheter_id="", side="")
            event["imaging"] = "ct_pulmonary_angiography" if site == "pulmonary_embolism" else "ct"
        if not treated:  # a prophylaxis course, for no event
            rows["anticoagulation_courses"].update(
                intent="primary_prophylaxis", event_id="", dose="0.5"
            )
        del rows["vte_interventions"]
        for name, row in rows.items():
            tables[name].append(row)
    return tables


def _flagged(folder: Path) -> set[str]:
    report = validate_submission(folder)
    return {
        f.record_id or ""
        for f in report.findings
        if f.rule == "ctcae-inconsistent" and f.field == "ctcae_grade"
    }


def test_sql_grade_equals_the_models_grade(tmp_path: Path) -> None:
    assert _flagged(write_submission(tmp_path / "right", _tables(wrong=False))) == set()


def test_every_other_grade_is_found(tmp_path: Path) -> None:
    flagged = _flagged(write_submission(tmp_path / "wrong", _tables(wrong=True)))
    assert flagged == {f"NYC01-{n:08d}-V1" for n in range(len(COMBINATIONS))}
