"""vte_interventions: procedures for an event beyond anticoagulation (prefix I; spec 1.1)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import InterventionType, LysisResult, Thrombolytic
from registry.models.fields import CODE, Bound, Date, In, field, own_id, patient_ref, ref

__all__ = ["THROMBOLYSIS", "VteIntervention", "VteInterventionRecord"]

#: Interventions that give a thrombolytic agent.
THROMBOLYSIS = (
    InterventionType.SYSTEMIC_THROMBOLYSIS,
    InterventionType.CATHETER_DIRECTED_THROMBOLYSIS,
)


class VteInterventionRecord(RegistryRecord):
    """A procedure for a thrombotic event as submitted; validates on construction."""

    table_name = "vte_interventions"
    id_prefix = "I"
    id_field = "intervention_id"
    row_rule_ids = ("id-format",)
    since = "1.1"

    intervention_id: str = own_id("Intervention record ID: <patient_id>-I<n>.")
    event_id: str = ref(
        "vte_events.event_id",
        "The event treated (-> vte_events of the same patient).",
        index=True,
    )
    patient_id: str = patient_ref()
    date: Date = field(
        "Date of the procedure; not earlier than the event's diagnosis_date - 1 day.",
        bounds=(Bound("event_id", "diagnosis_date", days=-1),),
        record_date=True,
    )
    type: InterventionType = field(
        "Procedure. Thrombolysis and thrombectomy are urgent medical interventions: their "
        "event has urgent_intervention = true (rule ctcae-inconsistent).",
        sa_type=CODE,
    )
    agent: Thrombolytic | None = field(
        "Thrombolytic agent (thrombolysis only).", iff=In("type", THROMBOLYSIS), sa_type=CODE
    )
    result: LysisResult | None = field(
        "Result of the procedure on imaging.", required=False, sa_type=CODE
    )


class VteIntervention(StoredRecord, VteInterventionRecord, table=True):
    """The ``vte_interventions`` table (persistence only)."""

    __tablename__ = "vte_interventions"
