"""bleeding_events: bleeding episodes classified by ISTH criteria (prefix B)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.models.base import RegistryRecord, Violation
from registry.models.codes import BleedingSite, IsthCategory
from registry.models.fields import CODE, Date, Flag, field, own_id, patient_ref, ref

__all__ = ["CRITICAL_SITES", "BleedingEvent", "BleedingEventRecord", "meets_major_criteria"]

#: Sites that make a bleed major by themselves (ISTH SSC pediatric definitions).
CRITICAL_SITES = frozenset(
    {BleedingSite.INTRACRANIAL, BleedingSite.RETROPERITONEAL, BleedingSite.PULMONARY}
)
MAJOR_HB_DROP_G_DL = 2.0


def meets_major_criteria(
    site: BleedingSite, fatal: bool, hemoglobin_drop_g_dl: float | None
) -> bool:
    """Fatal, critical-site, or hemoglobin drop >= 2 g/dL within 24 h: major bleeding."""
    return (
        fatal
        or site in CRITICAL_SITES
        or (hemoglobin_drop_g_dl is not None and hemoglobin_drop_g_dl >= MAJOR_HB_DROP_G_DL)
    )


class BleedingEventRecord(RegistryRecord):
    """A bleeding event as submitted; validates on construction."""

    table_name = "bleeding_events"
    id_prefix = "B"
    id_field = "bleed_id"
    row_rule_ids = ("id-format", "isth-inconsistent")

    bleed_id: str = own_id("Bleeding record ID: <patient_id>-B<n>.")
    patient_id: str = patient_ref()
    date: Date = field("Date of the bleed.")
    site: BleedingSite = field("Site of bleeding.", sa_type=CODE)
    isth_category: IsthCategory = field(
        "ISTH bleeding category.",
        sa_type=CODE,
        source="Mitchell et al., J Thromb Haemost 2011;9:1856; Whitworth et al., "
        "J Thromb Haemost 2023",
    )
    hemoglobin_drop_g_dl: float | None = field(
        "Fall in hemoglobin within 24 h.",
        unit="g/dL",
        ge=0,
        le=15,
        required=False,
        monitor_completeness=True,
    )
    transfusion: Flag = field("Blood product given for the bleed.")
    fatal: Flag = field("The bleed was fatal.")
    course_id: str | None = ref(
        "anticoagulation_courses.course_id",
        "Course active on that date (-> anticoagulation_courses of the same patient).",
        required=False,
    )

    def row_rules(self) -> Iterator[Violation]:
        if self.isth_category != IsthCategory.MAJOR and meets_major_criteria(
            self.site, self.fatal, self.hemoglobin_drop_g_dl
        ):
            yield Violation(
                "isth-inconsistent",
                "isth_category",
                "fatal, intracranial, retroperitoneal or pulmonary bleeding, or a hemoglobin "
                "drop >= 2 g/dL, is major bleeding",
            )


class BleedingEvent(BleedingEventRecord, table=True):
    """The ``bleeding_events`` table (persistence only)."""

    __tablename__ = "bleeding_events"
