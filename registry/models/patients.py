"""patients: one row per enrolled patient (spec: registry.md, table patients)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from registry.models.base import RegistryRecord, StoredRecord, Violation
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
from registry.models.fields import CODE, All, AtLeast, Date, Eq, Flag, field
from registry.models.ids import PATIENT_ID_PATTERN, SITE_ID_PATTERN

__all__ = ["Patient", "PatientRecord", "nci_risk"]

EARLIEST_DIAGNOSIS = dt.date(2000, 1, 1)

#: NCI/Rome criteria: standard risk is age 1 to < 10 years and WBC < 50 x10^9/L.
NCI_MAX_AGE_MONTHS = 120
NCI_MAX_WBC = 50.0
_DEAD = Eq("vital_status", VitalStatus.DEAD)


def nci_risk(age_months: int, wbc: float) -> NciRiskGroup:
    """NCI risk group of a B-ALL patient aged >= 12 months from age and WBC at diagnosis."""
    standard = age_months < NCI_MAX_AGE_MONTHS and wbc < NCI_MAX_WBC
    return NciRiskGroup.STANDARD if standard else NciRiskGroup.HIGH


_NCI_DEFINED = All(
    (Eq("immunophenotype", Immunophenotype.B_CELL), AtLeast("age_at_diagnosis_months", 12))
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
        "Date of enrollment in the registry; expected within 60 days of diagnosis."
    )
    immunophenotype: Immunophenotype = field("ALL immunophenotype.", sa_type=CODE)
    nci_risk_group: NciRiskGroup | None = field(
        "NCI risk group: standard = age 1 to < 10 years and WBC < 50 x10^9/L, else high.",
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

    def row_rules(self) -> Iterator[Violation]:
        if not self.patient_id.startswith(f"{self.site_id}-"):
            yield Violation(
                "site-mismatch",
                "patient_id",
                f"patient_id does not start with the patient's site_id {self.site_id}",
            )
        yield from self._not_before("enrollment_date", "diagnosis_date", "before-diagnosis")
        yield from self._not_before("last_contact_date", "enrollment_date")
        yield from self._not_before("death_date", "diagnosis_date", "before-diagnosis")
        if (
            self.nci_risk_group is not None
            and self.immunophenotype == Immunophenotype.B_CELL
            and self.age_at_diagnosis_months >= 12
        ):
            expected = nci_risk(self.age_at_diagnosis_months, self.wbc_at_diagnosis)
            if self.nci_risk_group != expected:
                yield Violation(
                    "nci-risk-inconsistent",
                    "nci_risk_group",
                    f"age {self.age_at_diagnosis_months} months and WBC "
                    f"{self.wbc_at_diagnosis:g} x10^9/L make NCI risk {expected.value}",
                )

    @classmethod
    def row_rules_hold(cls, columns: Mapping[str, Any]) -> Any:
        """``row_rules`` over whole columns."""
        import pyarrow.compute as pc

        # a patient ID that matches its pattern has one '-', after the site ID
        site = pc.struct_field(
            pc.extract_regex(columns["patient_id"], r"^(?P<site>[^-]*)-"), "site"
        )
        ok = pc.fill_null(pc.equal(site, columns["site_id"]), False)
        for later, earlier in (
            ("enrollment_date", "diagnosis_date"),
            ("last_contact_date", "enrollment_date"),
            ("death_date", "diagnosis_date"),
        ):
            ok = pc.and_(ok, cls._not_before_over(columns, later, earlier))
        age, wbc = columns["age_at_diagnosis_months"], columns["wbc_at_diagnosis"]
        standard = pc.and_(pc.less(age, NCI_MAX_AGE_MONTHS), pc.less(wbc, NCI_MAX_WBC))
        expected = pc.if_else(standard, NciRiskGroup.STANDARD.value, NciRiskGroup.HIGH.value)
        risk = columns["nci_risk_group"]
        checked = pc.and_(pc.is_valid(risk), _NCI_DEFINED.holds_over(columns))
        consistent = pc.or_kleene(pc.invert(checked), pc.equal(risk, expected))
        return pc.and_(ok, pc.fill_null(consistent, False))


class Patient(StoredRecord, PatientRecord, table=True):
    """The ``patients`` table (persistence only: construct from a validated record)."""

    __tablename__ = "patients"
