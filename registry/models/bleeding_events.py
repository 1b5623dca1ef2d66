"""bleeding_events: bleeding episodes classified by ISTH criteria (prefix B)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.models.base import RegistryRecord, StoredRecord, Violation
from registry.models.codes import BleedingSite, IsthCategory
from registry.models.fields import CODE, Bound, Date, Flag, field, own_id, patient_ref, ref

__all__ = [
    "MAJOR_HB_DROP_G_DL",
    "MAJOR_SITES",
    "BleedingEvent",
    "BleedingEventRecord",
    "isth_category",
    "meets_major_criteria",
]

#: Sites that make a bleed major by themselves: retroperitoneal, pulmonary, intracranial or
#: other CNS (intraspinal). [Mitchell et al., J Thromb Haemost 2011;9:1856; spec 1.1]
MAJOR_SITES = frozenset(
    {
        BleedingSite.INTRACRANIAL,
        BleedingSite.INTRASPINAL,
        BleedingSite.RETROPERITONEAL,
        BleedingSite.PULMONARY,
    }
)
#: A fall in hemoglobin of at least 20 g/L (2 g/dL) within 24 h makes a bleed major.
MAJOR_HB_DROP_G_DL = 2.0


def meets_major_criteria(
    site: BleedingSite,
    fatal: bool,
    hemoglobin_drop_g_dl: float | None,
    surgery_in_operating_suite: bool | None = None,
) -> bool:
    """Major bleeding: fatal, a critical site, a hemoglobin drop >= 2 g/dL within 24 h, or
    surgery in an operating suite (None: not collected, as in schema 1.0)."""
    return (
        fatal
        or site in MAJOR_SITES
        or (hemoglobin_drop_g_dl is not None and hemoglobin_drop_g_dl >= MAJOR_HB_DROP_G_DL)
        or bool(surgery_in_operating_suite)
    )


def isth_category(
    *,
    site: BleedingSite,
    fatal: bool,
    hemoglobin_drop_g_dl: float | None,
    surgery_in_operating_suite: bool,
    transfusion: bool,
    intervention_to_restore_hemostasis: bool,
    sought_care: bool,
) -> IsthCategory:
    """The ISTH category of a bleed, derived from its raw fields.

    Major: fatal, hemoglobin drop >= 2 g/dL, intracranial/intraspinal/retroperitoneal/
    pulmonary, or surgery in an operating suite; else clinically relevant non-major: a blood
    product given, or an intervention that restored hemostasis outside an operating suite;
    else patient-important, no intervention: the patient sought care (2023 category); else
    minor. Menstrual bleeding falls wherever its criteria put it (2023).
    [Mitchell et al., J Thromb Haemost 2011;9:1856; Whitworth et al., J Thromb Haemost 2023,
    doi:10.1016/j.jtha.2023.03.004; clinical-background.md §4]
    """
    if meets_major_criteria(site, fatal, hemoglobin_drop_g_dl, surgery_in_operating_suite):
        return IsthCategory.MAJOR
    if transfusion or intervention_to_restore_hemostasis:
        return IsthCategory.CLINICALLY_RELEVANT_NON_MAJOR
    if sought_care:
        return IsthCategory.PATIENT_IMPORTANT_NO_INTERVENTION
    return IsthCategory.MINOR


class BleedingEventRecord(RegistryRecord):
    """A bleeding event as submitted; validates on construction."""

    table_name = "bleeding_events"
    id_prefix = "B"
    id_field = "bleed_id"
    row_rule_ids = ("id-format", "isth-inconsistent")

    bleed_id: str = own_id("Bleeding record ID: <patient_id>-B<n>.")
    patient_id: str = patient_ref()
    date: Date = field(
        "Date of the bleed; within the course it names, if any (the course active on that date).",
        bounds=(Bound("course_id", "start_date"), Bound("course_id", "stop_date", not_after=True)),
        record_date=True,
    )
    site: BleedingSite = field("Site of bleeding.", sa_type=CODE)
    isth_category: IsthCategory = field(
        "ISTH bleeding category; must equal the category derived from the fields below.",
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
    surgery_in_operating_suite: Flag = field(
        "The bleed needed surgery in an operating suite.", since="1.1"
    )
    intervention_to_restore_hemostasis: Flag = field(
        "A medical or surgical intervention restored hemostasis, outside an operating suite.",
        since="1.1",
    )
    sought_care: Flag = field("The patient sought medical care for the bleed.", since="1.1")
    fatal: Flag = field("The bleed was fatal.")
    course_id: str | None = ref(
        "anticoagulation_courses.course_id",
        "Course active on that date (-> anticoagulation_courses of the same patient).",
        required=False,
    )

    def row_rules(self) -> Iterator[Violation]:
        if self.schema_version == "1.0":  # only the major criteria were collected
            if self.isth_category != IsthCategory.MAJOR and meets_major_criteria(
                self.site, self.fatal, self.hemoglobin_drop_g_dl
            ):
                yield Violation(
                    "isth-inconsistent",
                    "isth_category",
                    "fatal, intracranial, intraspinal, retroperitoneal or pulmonary bleeding, "
                    "or a hemoglobin drop >= 2 g/dL, is major bleeding",
                )
            return
        derived = isth_category(
            site=self.site,
            fatal=self.fatal,
            hemoglobin_drop_g_dl=self.hemoglobin_drop_g_dl,
            surgery_in_operating_suite=self.surgery_in_operating_suite,
            transfusion=self.transfusion,
            intervention_to_restore_hemostasis=self.intervention_to_restore_hemostasis,
            sought_care=self.sought_care,
        )
        if derived != self.isth_category:
            yield Violation(
                "isth-inconsistent",
                "isth_category",
                f"the bleed's fields make it {derived.value} by the ISTH criteria",
            )


class BleedingEvent(StoredRecord, BleedingEventRecord, table=True):
    """The ``bleeding_events`` table (persistence only)."""

    __tablename__ = "bleeding_events"
