"""treatment_phases: the phases of ALL therapy of each patient (prefix P)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import Phase
from registry.models.fields import CODE, Date, field, own_id, patient_ref
from registry.models.row_checks import NotBefore

__all__ = ["TreatmentPhase", "TreatmentPhaseRecord"]


class TreatmentPhaseRecord(RegistryRecord):
    """A treatment phase as submitted; validates on construction."""

    table_name = "treatment_phases"
    id_prefix = "P"
    id_field = "phase_id"
    row_rule_ids = ("id-format", "end-before-start")

    phase_id: str = own_id("Phase record ID: <patient_id>-P<n>.")
    patient_id: str = patient_ref()
    phase: Phase = field("Treatment phase.", sa_type=CODE)
    start_date: Date = field(
        "First day of the phase; not more than 7 days before the ALL diagnosis.",
        not_before_diagnosis_days=7,
    )
    end_date: Date | None = field(
        "Last day of the phase; missing while the phase is ongoing.", required=False
    )

    row_checks = (NotBefore("end_date", "start_date"),)


class TreatmentPhase(StoredRecord, TreatmentPhaseRecord, table=True):
    """The ``treatment_phases`` table (persistence only)."""

    __tablename__ = "treatment_phases"
