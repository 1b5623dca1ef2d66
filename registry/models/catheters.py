"""catheters: central venous catheters (prefix C)."""

from __future__ import annotations

from registry.models import anatomy
from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import CatheterType, InsertionVein, RemovalReason, Side, TipPosition
from registry.models.fields import CODE, Date, Present, field, own_id, patient_ref
from registry.models.row_checks import NotBefore

__all__ = ["Catheter", "CatheterRecord"]


class CatheterRecord(RegistryRecord):
    """A central venous catheter as submitted; validates on construction."""

    table_name = "catheters"
    id_prefix = "C"
    id_field = "catheter_id"
    row_rule_ids = (
        "id-format",
        "end-before-start",
        "catheter-anatomy-inconsistent",
        "catheter-tip-unusual",
    )

    catheter_id: str = own_id("Catheter record ID: <patient_id>-C<n>.")
    patient_id: str = patient_ref()
    catheter_type: CatheterType = field("Type of central venous catheter.", sa_type=CODE)
    insertion_vein: InsertionVein = field("Vein of insertion.", sa_type=CODE)
    side: Side = field("Side of insertion.", sa_type=CODE)
    lumens: int = field("Number of lumens.", ge=1, le=3)
    insertion_date: Date = field(
        "Date of insertion; not more than 30 days before the ALL diagnosis.",
        not_before_diagnosis_days=30,
        record_date=True,
    )
    removal_date: Date | None = field(
        "Date of removal; missing while the catheter is in place.", required=False
    )
    removal_reason: RemovalReason | None = field(
        "Why the catheter was removed.", iff=Present("removal_date"), sa_type=CODE
    )
    tip_position: TipPosition | None = field(
        "Tip position on the first chest film; a tip outside the cavoatrial junction is a "
        "risk factor for thrombosis.",
        required=False,
        sa_type=CODE,
        monitor_completeness=True,
        since="1.1",
    )

    row_checks = (NotBefore("removal_date", "insertion_date"), *anatomy.row_checks("catheters"))


class Catheter(StoredRecord, CatheterRecord, table=True):
    """The ``catheters`` table (persistence only)."""

    __tablename__ = "catheters"
