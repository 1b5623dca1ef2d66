"""The catalogue of rule IDs: severity, data-quality category and thresholds of every finding.

IDs, severities and categories are those of shared/spec/registry.md ("Rules beyond single
fields" and the generic per-field findings); categories follow Kahn et al. 2016. Where a
rule is implemented (row validator, a check of the catalogue, scanner) is recorded there;
this module is the one place a rule's severity, category and thresholds are read from: its
title, its SQL (``registry/validation/catalogue``) and any Python row rule take the
thresholds from ``params`` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["RULES", "SURVEY_RULES", "Rule", "Severity", "rule"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    category: str
    #: The title, with ``{param}`` placeholders (``str.format``) for the thresholds.
    template: str
    #: The rule's thresholds: the one place they are declared.
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.template.format(**self.params)


_SPEC_RULES: tuple[
    tuple[str, Severity, str, str] | tuple[str, Severity, str, str, dict[str, Any]], ...
] = (
    (
        "id-format",
        "error",
        "conformance.value",
        "IDs follow the formats of the spec; a record ID starts with its patient_id",
    ),
    ("id-unique", "error", "plausibility.uniqueness", "primary keys unique within the submission"),
    (
        "site-mismatch",
        "error",
        "conformance.relational",
        "patient site_id = manifest site_id = ID prefix",
    ),
    ("fk-missing", "error", "conformance.relational", "every reference names an existing record"),
    (
        "fk-other-patient",
        "error",
        "conformance.relational",
        "a referenced record belongs to the same patient",
    ),
    ("after-cutoff", "error", "plausibility.temporal", "no date after data_cutoff_date"),
    (
        "before-diagnosis",
        "error",
        "plausibility.temporal",
        "dates earlier than allowed relative to ALL diagnosis",
    ),
    (
        "end-before-start",
        "error",
        "plausibility.temporal",
        "end/removal/stop dates before their start",
    ),
    (
        "after-death",
        "error",
        "plausibility.temporal",
        "no event, dose, lab or assessment after death_date",
    ),
    ("phase-overlap", "error", "plausibility.temporal", "treatment phases of a patient overlap"),
    (
        "late-enrollment",
        "warning",
        "plausibility.temporal",
        "enrollment more than {max_days} days after diagnosis",
        {"max_days": 60},
    ),
    (
        "phase-mismatch",
        "warning",
        "plausibility.temporal",
        "phase_at_event differs from the phase on that date",
    ),
    (
        "dose-outside-phase",
        "warning",
        "plausibility.temporal",
        "asparaginase given outside any recorded phase",
    ),
    (
        "catheter-not-in-place",
        "error",
        "plausibility.temporal",
        "catheter-related event on a date the catheter was not in place",
    ),
    (
        "treatment-without-event",
        "error",
        "conformance.relational",
        "a treatment course with no event, or an event course before the event",
    ),
    (
        "untreated-event",
        "warning",
        "completeness",
        "a vte_event with no treatment course and detection other than autopsy",
    ),
    (
        "nci-risk-inconsistent",
        "error",
        "conformance.computational",
        "B-ALL aged >= {min_age_months} months: standard iff age < {max_age_months} months "
        "and WBC < {max_wbc:g} x10^9/L",
        # NCI/Rome criteria (Smith 1996): standard risk is age 1 to < 10 years and WBC < 50
        {"min_age_months": 12, "max_age_months": 120, "max_wbc": 50.0},
    ),
    (
        "ptwg-inconsistent",
        "error",
        "conformance.computational",
        "ptwg_qualifying disagrees with detection and treatment",
    ),
    (
        "ctcae-inconsistent",
        "error",
        "conformance.computational",
        "ctcae_grade differs from the grade derived from the event's raw fields, or a "
        "thrombolysis or thrombectomy for an event without urgent_intervention",
    ),
    (
        "isth-inconsistent",
        "error",
        "conformance.computational",
        "isth_category differs from the category derived from the bleed's fields",
    ),
    (
        "death-cause-inconsistent",
        "error",
        "conformance.computational",
        "death from bleeding without a fatal bleed, or a fatal bleed of a patient not dead "
        "of bleeding on or after it",
    ),
    (
        "site-catheter-inconsistent",
        "error",
        "conformance.computational",
        "a catheter-related site that is not catheter-related, or a site the catheter cannot cause",
    ),
    (
        "adjustment-direction",
        "error",
        "conformance.computational",
        "a reduction not below, or an increase not above, the dose in force",
    ),
    (
        "anticoagulation-after-major-bleed",
        "warning",
        "plausibility.temporal",
        "a treatment course running {window_days} days after a major bleed with no hold, "
        "reduction or stop",
        {"window_days": 2},
    ),
    (
        "pts-too-early",
        "warning",
        "plausibility.temporal",
        "a post-thrombotic syndrome score taken less than {min_days} days after its event",
        {"min_days": 90},
    ),
    (
        "manifest-mismatch",
        "error",
        "conformance.relational",
        "the manifest's table inventory disagrees with the files",
    ),
    (
        "imaging-site-mismatch",
        "warning",
        "plausibility.atemporal",
        "imaging modality does not suit the thrombosis site",
    ),
    (
        "dose-implausible",
        "warning",
        "plausibility.atemporal",
        "dose outside the plausible range",
        {
            # units (IU or mg) per m2 by product (spec: registry.md, asparaginase_doses)
            "ranges": {
                "pegaspargase": [1000, 3000],
                "calaspargase_pegol": [1000, 3000],
                "erwinia_recombinant": [15, 50],
                "erwinia_native": [10000, 30000],
                "native_e_coli": [5000, 25000],
            },
            # pegaspargase doses less than this many days apart
            "min_days": 14,
        },
    ),
    ("unit-mismatch", "error", "conformance.value", "unit not the one fixed for the test or agent"),
    (
        "genotype-result-mismatch",
        "error",
        "conformance.value",
        "result_category not allowed for that test",
    ),
    (
        "anti-xa-without-heparin",
        "warning",
        "plausibility.atemporal",
        "anti-Xa sample with no course of an anti-Xa-monitored agent active",
    ),
    (
        "platelets-hold-inconsistent",
        "warning",
        "plausibility.atemporal",
        "full-dose course with platelets < {threshold} x10^9/L and no adjustment within "
        "{window_days} days",
        {"threshold": 20, "window_days": 2},
    ),
    (
        "completeness-threshold",
        "warning",
        "completeness",
        "a monitored field missing in more than {threshold:.0%} of the rows (from {min_rows} rows)",
        {"threshold": 0.2, "min_rows": 20},
    ),
    ("phi-suspected", "error", "conformance.value", "a value looks like a direct identifier"),
    (
        "incidence-implausible",
        "warning",
        "plausibility.atemporal",
        "symptomatic VTE in < {low:.0%} or > {high:.0%} of patients with >= "
        "{min_follow_up_days} days of follow-up (from {min_patients} patients)",
        {"low": 0.01, "high": 0.4, "min_patients": 100, "min_follow_up_days": 182},
    ),
)

#: The plausibility rules of shared/spec/registry.md ("Plausibility rules", added after
#: 1.1): what cannot happen, whatever the form says.
_PLAUSIBILITY_RULES: tuple[
    tuple[str, Severity, str, str] | tuple[str, Severity, str, str, dict[str, Any]], ...
] = (
    (
        "date-outside-reference",
        "error",
        "plausibility.temporal",
        "a date outside the bound a referenced record sets (an intervention before its event's "
        "diagnosis - 1 day, an assessment before its event, an adjustment outside its course, "
        "a bleed outside the course it names, a recurrence before the event it recurs from)",
    ),
    (
        "before-birth",
        "error",
        "plausibility.temporal",
        "a date before the first day of the month of birth (the month of ALL diagnosis minus "
        "age_at_diagnosis_months), less {slack_months} month of slack",
        {"slack_months": 1},
    ),
    (
        "after-last-contact",
        "error",
        "plausibility.temporal",
        "a dated record after the patient's last_contact_date (death_date is exempt)",
    ),
    (
        "death-record-inconsistent",
        "error",
        "conformance.computational",
        "a record that implies death in a patient who is not dead, or dated away from the "
        "death: an autopsy finding in a living patient or before the death; a catheter removed "
        "for death in a living patient or more than {removal_days} day from the death; "
        "off_study_reason death with vital_status alive",
        {"removal_days": 1},
    ),
    (
        "growth-implausible",
        "error",
        "plausibility.atemporal",
        "weight, height or BMI at diagnosis beyond the biologically implausible limits of the "
        "growth references for age and sex (WHO below 24 months, CDC 2000 from 24 months)",
    ),
    (
        "catheter-anatomy-inconsistent",
        "error",
        "plausibility.atemporal",
        "a catheter type inserted in a vein it cannot be inserted in (a PICC in a central vein)",
    ),
    (
        "catheter-tip-unusual",
        "warning",
        "plausibility.atemporal",
        "a catheter tip in the other caval territory than its insertion vein (a malposition)",
    ),
    (
        "event-anatomy-inconsistent",
        "error",
        "plausibility.atemporal",
        "an event whose site does not fit its side, its catheter's venous territory or its "
        "intervention",
    ),
    (
        "bleeding-site-implausible",
        "error",
        "plausibility.atemporal",
        "a bleed at a site the patient's sex does not have (menstrual bleeding in a male)",
    ),
)

_GENERIC_RULES: tuple[tuple[str, str, str], ...] = (
    ("missing-value", "completeness", "a required value is missing"),
    (
        "unexpected-value",
        "conformance.value",
        "a conditional field is filled although its condition is false",
    ),
    ("type-error", "conformance.value", "a value is not of the field's type"),
    ("out-of-range", "conformance.value", "a value is outside the field's range"),
    ("invalid-code", "conformance.value", "a value is not one of the field's codes"),
    ("pattern-mismatch", "conformance.value", "a value does not have the required layout"),
    ("unknown-column", "conformance.value", "a column or key the format does not define"),
    ("missing-column", "conformance.value", "a required column is absent"),
    ("encoding-error", "conformance.value", "a file is not UTF-8 text"),
    ("unreadable-file", "conformance.value", "a file cannot be read"),
)

RULES: dict[str, Rule] = {
    **{entry[0]: Rule(*entry) for entry in _SPEC_RULES},
    **{entry[0]: Rule(*entry) for entry in _PLAUSIBILITY_RULES},
    **{rid: Rule(rid, "error", cat, title) for rid, cat, title in _GENERIC_RULES},
}

#: Survey-only rules (shared/spec/survey.md): not in the registry's rule table.
SURVEY_RULES: dict[str, Rule] = {
    "exclusive-option": Rule(
        "exclusive-option",
        "error",
        "conformance.value",
        "an exclusive option (none) is ticked together with other options",
    ),
    "threshold-inconsistent": Rule(
        "threshold-inconsistent",
        "warning",
        "plausibility.atemporal",
        "platelet hold threshold above the reduce threshold",
    ),
    "id-unique": RULES["id-unique"],
}


#: The intake service's own rule (shared/spec/intake.md, "Submissions"): a site submits for
#: itself only, whatever its manifest claims.
INTAKE_RULES: dict[str, Rule] = {
    "site-not-sender": Rule(
        "site-not-sender",
        "error",
        "conformance.value",
        "the manifest's site_id is not the site that sent the submission",
    ),
}


def rule(rule_id: str) -> Rule:
    """Look up a rule of the registry, the survey or the intake service by ID."""
    try:
        return RULES.get(rule_id) or SURVEY_RULES.get(rule_id) or INTAKE_RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule ID {rule_id!r}") from None
