"""The rule catalogue: every check, built from one declaration each.

- ``registry.rules``: each rule's ID, severity, category and title (the spec's table);
- ``generic.py``: the checks generated from the models' field facts;
- ``sql/*.sql``: the clinical checks, one readable file each, thresholds in their header.

The rules engine runs ``checks()`` directly (``registry/validation/rules_engine.py``);
``suites()`` assembles them into Great Expectations suites, which ``vte-registry export
expectations expectations`` writes to ``expectations/*.json``: the published, reviewable form
that ``--engine gx`` runs (a test fails when a committed copy drifts). The literal test cases
of each rule are in ``tests/validation/rule_cases/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.models import TABLES
from registry.validation.catalogue import generic
from registry.validation.catalogue.check import Check
from registry.validation.catalogue.clinical import clinical_checks
from registry.version import SCHEMA_VERSION

__all__ = ["SUITES", "Check", "checks", "suites", "write_suites"]

#: Suite name -> (the table its batch is, what it holds), in the order they are written.
SUITES: dict[str, tuple[str, str]] = {
    **{spec.name: (spec.name, f"Rules on {spec.name} alone.") for spec in TABLES},
    "cross_table_references": (
        "patients",
        "References between tables and the submitting site, across all tables.",
    ),
    "cross_table_temporal": (
        "patients",
        "Dates across tables: cutoff, diagnosis, death, phases, catheters, courses.",
    ),
    "cross_table_clinical": (
        "patients",
        "Clinical consistency across tables: treatment, PTWG, CTCAE, monitoring.",
    ),
    "submission": ("patients", "Submission-level plausibility."),
}
SUITES["patients"] = ("patients", "Rules on the patients table alone.")


def checks() -> list[Check]:
    """Every check, suite by suite: generated ones first, then the clinical files, then
    completeness."""
    clinical = clinical_checks()
    generated: dict[str, list[Check]] = {name: [] for name in SUITES}
    for spec in TABLES:
        generated[spec.name].append(generic.id_unique(spec))
    generated["cross_table_references"] += [
        generic.fk_missing(),
        generic.fk_other_patient(),
        generic.site_mismatch(),
    ]
    generated["cross_table_temporal"] += [
        generic.after_cutoff(),
        generic.before_diagnosis(),
        generic.after_death(),
        generic.date_outside_reference(),
        generic.before_birth(),
        generic.after_last_contact(),
    ]
    generated["cross_table_clinical"] += generic.anatomy()
    last = {spec.name: generic.completeness(spec) for spec in TABLES}
    out: list[Check] = []
    for name in SUITES:
        out += generated[name]
        out += [c for c in clinical if c.suite == name]
        out += last.get(name, [])
    unknown = {c.suite for c in clinical} - set(SUITES)
    if unknown:
        raise ValueError(f"checks name unknown suites: {sorted(unknown)}")
    return out


def suites() -> list[dict[str, Any]]:
    """The Great Expectations suites (JSON-ready), in ``SUITES`` order."""
    by_suite: dict[str, list[Check]] = {name: [] for name in SUITES}
    for check in checks():
        by_suite[check.suite].append(check)
    return [
        {
            "name": name,
            "meta": {"batch": batch, "description": description, "schema_version": SCHEMA_VERSION},
            "expectations": [c.expectation() for c in by_suite[name]],
        }
        for name, (batch, description) in SUITES.items()
        if by_suite[name]
    ]


def write_suites(folder: Path) -> list[Path]:
    """``<suite>.json`` for every suite; other JSON files there are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suite in suites():
        path = folder / f"{suite['name']}.json"
        path.write_text(json.dumps(suite, indent=2) + "\n", encoding="utf-8", newline="\n")
        written.append(path)
    for stale in set(folder.glob("*.json")) - set(written):
        stale.unlink()
    return written
