"""dose_adjustments: holds and reductions of an anticoagulation course (prefix D)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import DoseAdjustmentAction, DoseAdjustmentReason
from registry.models.fields import (
    CODE,
    Bound,
    Date,
    Eq,
    Flag,
    In,
    Ne,
    field,
    own_id,
    patient_ref,
    ref,
)

__all__ = ["DoseAdjustment", "DoseAdjustmentRecord"]


class DoseAdjustmentRecord(RegistryRecord):
    """A dose adjustment as submitted; validates on construction."""

    table_name = "dose_adjustments"
    id_prefix = "D"
    id_field = "adjustment_id"
    row_rule_ids = ("id-format",)

    adjustment_id: str = own_id("Adjustment record ID: <patient_id>-D<n>.")
    course_id: str = ref(
        "anticoagulation_courses.course_id",
        "The course adjusted (-> anticoagulation_courses of the same patient).",
        index=True,
    )
    patient_id: str = patient_ref()
    date: Date = field(
        "Date of the adjustment; within the course.",
        bounds=(Bound("course_id", "start_date"), Bound("course_id", "stop_date", not_after=True)),
        record_date=True,
    )
    action: DoseAdjustmentAction = field("What was done.", sa_type=CODE)
    reason: DoseAdjustmentReason = field("Why.", sa_type=CODE)
    platelets: float | None = field(
        "Platelet count that prompted the adjustment.",
        unit="x10^9/L",
        ge=0,
        le=2000,
        required_when=Eq("reason", DoseAdjustmentReason.THROMBOCYTOPENIA),
    )
    new_dose: float | None = field(
        "Dose after the adjustment, in the course's dose_unit: below the dose in force for a "
        "reduction, above it for an increase (rule adjustment-direction).",
        gt=0,
        required_when=In("action", (DoseAdjustmentAction.REDUCED, DoseAdjustmentAction.INCREASED)),
        only_when=Ne("action", DoseAdjustmentAction.HELD),
        since="1.1",
    )
    platelet_transfusion: Flag = field("Platelets transfused to maintain anticoagulation.")


class DoseAdjustment(StoredRecord, DoseAdjustmentRecord, table=True):
    """The ``dose_adjustments`` table (persistence only)."""

    __tablename__ = "dose_adjustments"
