"""patients: one row per enrolled patient (spec: registry.md, table patients)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import (
    CauseOfDeath,
    CnsStatus,
    Immunophenotype,
    InductionSteroid,
    NciRiskGroup,
    OffStudyReason,
    Protocol,
    Sex,
    VitalStatus,
    YesNoUnknown,
)
from registry.models.fields import CODE, All, AtLeast, Below, Date, Eq, Flag, field
from registry.models.growth import Growth
from registry.models.ids import PATIENT_ID_PATTERN, SITE_ID_PATTERN
from registry.models.row_checks import Derived, Never, NotBefore, OwnPrefix
from registry.rules import rule

__all__ = [
    "NCI_MAX_AGE_MONTHS",
    "NCI_MAX_WBC",
    "NCI_MIN_AGE_MONTHS",
    "Patient",
    "PatientRecord",
    "nci_risk",
]

EARLIEST_DIAGNOSIS = dt.date(2000, 1, 1)

#: NCI/Rome criteria (rule nci-risk-inconsistent, where they are declared): standard risk is
#: age 1 to < 10 years and WBC < 50 x10^9/L, for B-ALL from 12 months.
_NCI = rule("nci-risk-inconsistent").params
NCI_MIN_AGE_MONTHS: int = _NCI["min_age_months"]
NCI_MAX_AGE_MONTHS: int = _NCI["max_age_months"]
NCI_MAX_WBC: float = _NCI["max_wbc"]
_DEAD = Eq("vital_status", VitalStatus.DEAD)


_NCI_STANDARD = All(
    (Below("age_at_diagnosis_months", NCI_MAX_AGE_MONTHS), Below("wbc_at_diagnosis", NCI_MAX_WBC))
)


def nci_risk(age_months: int, wbc: float) -> NciRiskGroup:
    """NCI risk group of a B-ALL patient from ``NCI_MIN_AGE_MONTHS`` on, from age and WBC at
    diagnosis (the rule's own condition, ``_NCI_STANDARD``)."""
    standard = _NCI_STANDARD.holds(
        SimpleNamespace(age_at_diagnosis_months=age_months, wbc_at_diagnosis=wbc)
    )
    return NciRiskGroup.STANDARD if standard else NciRiskGroup.HIGH


_NCI_DEFINED = All(
    (
        Eq("immunophenotype", Immunophenotype.B_CELL),
        AtLeast("age_at_diagnosis_months", NCI_MIN_AGE_MONTHS),
    )
)


class PatientRecord(RegistryRecord):
    """A patient as submitted; validates on construction."""

    table_name = "patients"
    id_prefix = None
    id_field = "patient_id"
    row_rule_ids = (
        "site-mismatch",
        "nci-risk-inconsistent",
        "end-before-start",
        "before-diagnosis",
        "death-record-inconsistent",
        "growth-implausible",
    )

    patient_id: str = field(
        "Pseudonymous patient ID: site_id, '-', 8 characters of [0-9A-HJ-NP-Z] (HMAC of the "
        "MRN with a site secret).",
        pattern=PATIENT_ID_PATTERN,
        primary_key=True,
        max_length=17,
    )
    site_id: str = field(
        "Site code; equals the manifest site_id and the prefix of patient_id.",
        pattern=SITE_ID_PATTERN,
        index=True,
        max_length=8,
    )
    sex: Sex = field("Sex assigned at birth.", sa_type=CODE)
    age_at_diagnosis_months: int = field(
        "Age at ALL diagnosis in completed months (0-21 years).", unit="months", ge=0, le=263
    )
    diagnosis_date: Date = field(
        "Date of ALL diagnosis (2000-01-01 or later).", ge=EARLIEST_DIAGNOSIS
    )
    enrollment_date: Date = field(
        "Date of enrollment in the registry; expected within "
        f"{rule('late-enrollment').params['max_days']} days of diagnosis."
    )
    immunophenotype: Immunophenotype = field("ALL immunophenotype.", sa_type=CODE)
    nci_risk_group: NciRiskGroup | None = field(
        f"NCI risk group: standard = age {NCI_MIN_AGE_MONTHS // 12} to < "
        f"{NCI_MAX_AGE_MONTHS // 12} years and WBC < {NCI_MAX_WBC:g} x10^9/L, else high.",
        # The NCI criteria are defined for B-ALL outside infancy (spec 1.1: "iff"; in 1.0 the
        # group was required for them and allowed for others).
        iff=_NCI_DEFINED,
        required_when_in_1_0=_NCI_DEFINED,
        sa_type=CODE,
    )
    wbc_at_diagnosis: float = field(
        "White blood cell count at diagnosis.", unit="x10^9/L", ge=0.1, le=1500
    )
    cns_status: CnsStatus = field("CNS status at diagnosis.", sa_type=CODE)
    down_syndrome: Flag = field("Down syndrome (trisomy 21).")
    mediastinal_mass: Flag = field("Mediastinal mass at diagnosis.")
    weight_kg_at_diagnosis: float = field("Weight at diagnosis.", unit="kg", ge=1.5, le=200)
    height_cm_at_diagnosis: float = field("Height at diagnosis.", unit="cm", ge=40, le=220)
    protocol: Protocol = field("Treatment backbone.", sa_type=CODE)
    protocol_name: str | None = field(
        "Protocol or trial name, e.g. AALL1731 (free text: no identifiers).",
        required=False,
        monitor_completeness=True,
        max_length=40,
    )
    induction_steroid: InductionSteroid = field("Steroid used in induction.", sa_type=CODE)
    prior_vte: Flag = field("VTE before the ALL diagnosis.")
    family_history_vte: YesNoUnknown = field("VTE in a first-degree relative.", sa_type=CODE)
    last_contact_date: Date = field("Date of last contact; not after the data cutoff.")
    vital_status: VitalStatus = field("Vital status at last contact.", sa_type=CODE)
    death_date: Date | None = field("Date of death.", iff=_DEAD)
    cause_of_death: CauseOfDeath | None = field("Cause of death.", iff=_DEAD, sa_type=CODE)
    off_study_reason: OffStudyReason | None = field(
        "Why the patient went off study, if they did.", required=False, sa_type=CODE
    )

    row_checks = (
        OwnPrefix(
            "patient_id",
            "site_id",
            "site-mismatch",
            "patient_id does not start with the patient's site_id {owner}",
        ),
        NotBefore("enrollment_date", "diagnosis_date", "before-diagnosis"),
        NotBefore("last_contact_date", "enrollment_date"),
        NotBefore("death_date", "diagnosis_date", "before-diagnosis"),
        # spec, Plausibility rules (death-record-inconsistent): off study for death, alive
        Never(
            All(
                (
                    Eq("off_study_reason", OffStudyReason.DEATH),
                    Eq("vital_status", VitalStatus.ALIVE),
                )
            ),
            "off_study_reason",
            "death-record-inconsistent",
            "off_study_reason death with vital_status alive",
        ),
        Growth(),
        Derived(
            "nci_risk_group",
            _NCI_DEFINED,
            _NCI_STANDARD,
            NciRiskGroup.STANDARD,
            NciRiskGroup.HIGH,
            "nci-risk-inconsistent",
            "age {age_at_diagnosis_months} months and WBC {wbc_at_diagnosis:g} x10^9/L make "
            "NCI risk {expected}",
        ),
    )


class Patient(StoredRecord, PatientRecord, table=True):
    """The ``patients`` table (persistence only: construct from a validated record)."""

    __tablename__ = "patients"
