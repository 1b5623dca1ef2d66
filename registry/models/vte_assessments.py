"""vte_assessments: follow-up imaging and post-thrombotic syndrome of an event (prefix S)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import Imaging, PtsInstrument, ThrombusResponse
from registry.models.fields import CODE, Bound, Date, Present, field, own_id, patient_ref, ref

__all__ = ["VteAssessment", "VteAssessmentRecord"]


class VteAssessmentRecord(RegistryRecord):
    """A follow-up assessment as submitted; validates on construction."""

    table_name = "vte_assessments"
    id_prefix = "S"
    id_field = "assessment_id"
    row_rule_ids = ("id-format",)

    assessment_id: str = own_id("Assessment record ID: <patient_id>-S<n>.")
    event_id: str = ref(
        "vte_events.event_id",
        "The event assessed (-> vte_events of the same patient).",
        index=True,
    )
    patient_id: str = patient_ref()
    date: Date = field(
        "Date of the assessment; not before the event's diagnosis_date.",
        bounds=(Bound("event_id", "diagnosis_date"),),
        record_date=True,
    )
    imaging: Imaging | None = field(
        "Imaging used, if any.", required=False, sa_type=CODE, monitor_completeness=True
    )
    thrombus_response: ThrombusResponse = field("Thrombus compared with diagnosis.", sa_type=CODE)
    pts_instrument: PtsInstrument | None = field(
        "Post-thrombotic syndrome instrument, if PTS was scored.", required=False, sa_type=CODE
    )
    pts_score: int | None = field(
        "Post-thrombotic syndrome score on the instrument's own scale; scored from 3 months "
        "after the event on (rule pts-too-early).",
        ge=0,
        # CAPTSure scores 0-100 points (Avila et al., Res Pract Thromb Haemost 2019;
        # PMC6781925: "of 100 points"), the widest of the three scales. The modified
        # Villalta and Manco-Johnson maxima could not be checked against their publications
        # here, so no tighter per-instrument bound is applied (see the README's notes).
        le=100,
        iff=Present("pts_instrument"),
    )


class VteAssessment(StoredRecord, VteAssessmentRecord, table=True):
    """The ``vte_assessments`` table (persistence only)."""

    __tablename__ = "vte_assessments"
