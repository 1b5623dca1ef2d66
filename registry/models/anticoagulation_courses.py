"""anticoagulation_courses: treatment and prophylaxis courses (prefix K)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.models.base import RegistryRecord, StoredRecord, Violation
from registry.models.codes import (
    AnticoagulantAgent as A,
)
from registry.models.codes import (
    CourseIntent,
    Frequency,
    IntendedDuration,
    StopReason,
)
from registry.models.codes import (
    DoseUnit as U,
)
from registry.models.fields import CODE, Date, Eq, Ne, Present, field, own_id, patient_ref, ref

__all__ = [
    "AGENT_CLASS",
    "AGENT_CLASS_LABELS",
    "AGENT_UNITS",
    "ANTI_XA_MONITORED",
    "HEPARINS",
    "UNITS_ACCEPTED_IN_1_0",
    "AnticoagulationCourse",
    "AnticoagulationCourseRecord",
]

#: Dose units that suit each agent. Argatroban is infused in µg/kg/min and bivalirudin in
#: mg/kg/h (spec 1.1; schema 1.0 lacked both units and accepted mg_per_kg for them, which a
#: 1.0 submission may still use: ``UNITS_ACCEPTED_IN_1_0``).
AGENT_UNITS: dict[A, frozenset[U]] = {
    A.ENOXAPARIN: frozenset({U.MG_PER_KG}),
    A.DALTEPARIN: frozenset({U.UNITS_PER_KG, U.IU_PER_KG}),
    A.TINZAPARIN: frozenset({U.UNITS_PER_KG, U.IU_PER_KG}),
    A.UNFRACTIONATED_HEPARIN: frozenset({U.UNITS_PER_KG_PER_HOUR, U.UNITS_PER_KG}),
    A.WARFARIN: frozenset({U.MG_PER_KG, U.MG}),
    A.RIVAROXABAN: frozenset({U.MG}),
    A.APIXABAN: frozenset({U.MG}),
    A.DABIGATRAN: frozenset({U.MG}),
    A.EDOXABAN: frozenset({U.MG}),
    A.FONDAPARINUX: frozenset({U.MG_PER_KG, U.MG}),
    A.ARGATROBAN: frozenset({U.MCG_PER_KG_PER_MIN}),
    A.BIVALIRUDIN: frozenset({U.MG_PER_KG_PER_HOUR}),
    A.ANTITHROMBIN_CONCENTRATE: frozenset({U.IU_PER_KG, U.UNITS_PER_KG}),
}

UNITS_ACCEPTED_IN_1_0: dict[A, frozenset[U]] = {
    A.ARGATROBAN: frozenset({U.MG_PER_KG}),
    A.BIVALIRUDIN: frozenset({U.MG_PER_KG}),
}

#: The heparin class.
HEPARINS = frozenset({A.ENOXAPARIN, A.DALTEPARIN, A.TINZAPARIN, A.UNFRACTIONATED_HEPARIN})
#: Agents whose level is monitored by anti-Xa activity (calibrated per agent): the heparins,
#: fondaparinux and the direct factor Xa inhibitors (spec 1.1, rule anti-xa-without-heparin;
#: clinical-background.md §5, enoxaparin anti-Xa targets).
ANTI_XA_MONITORED = HEPARINS | {A.FONDAPARINUX, A.RIVAROXABAN, A.APIXABAN, A.EDOXABAN}

#: The class of each agent, in the codes of the survey's first-agent items (survey.md items
#: 12, 18, 22: lmwh, ufh, doac, vka, fondaparinux), so that observed and reported practice
#: can be set side by side; the parenteral direct thrombin inhibitors and antithrombin
#: concentrate have no survey code. Dabigatran is a DOAC in the survey's sense (oral).
AGENT_CLASS: dict[A, str] = {
    A.ENOXAPARIN: "lmwh",
    A.DALTEPARIN: "lmwh",
    A.TINZAPARIN: "lmwh",
    A.UNFRACTIONATED_HEPARIN: "ufh",
    A.WARFARIN: "vka",
    A.RIVAROXABAN: "doac",
    A.APIXABAN: "doac",
    A.DABIGATRAN: "doac",
    A.EDOXABAN: "doac",
    A.FONDAPARINUX: "fondaparinux",
    A.ARGATROBAN: "parenteral_dti",
    A.BIVALIRUDIN: "parenteral_dti",
    A.ANTITHROMBIN_CONCENTRATE: "antithrombin",
}
AGENT_CLASS_LABELS: dict[str, str] = {
    "lmwh": "Low-molecular-weight heparin",
    "ufh": "Unfractionated heparin",
    "doac": "Direct oral anticoagulant",
    "vka": "Vitamin K antagonist",
    "fondaparinux": "Fondaparinux",
    "parenteral_dti": "Parenteral direct thrombin inhibitor",
    "antithrombin": "Antithrombin concentrate",
}


class AnticoagulationCourseRecord(RegistryRecord):
    """An anticoagulation course as submitted; validates on construction."""

    table_name = "anticoagulation_courses"
    id_prefix = "K"
    id_field = "course_id"
    row_rule_ids = ("id-format", "treatment-without-event", "unit-mismatch", "end-before-start")

    course_id: str = own_id("Course record ID: <patient_id>-K<n>.")
    patient_id: str = patient_ref()
    event_id: str | None = ref(
        "vte_events.event_id",
        "The event treated (-> vte_events of the same patient): required for treatment, "
        "allowed for secondary prophylaxis, empty for primary prophylaxis.",
        required_when=Eq("intent", CourseIntent.TREATMENT),
        only_when=Ne("intent", CourseIntent.PRIMARY_PROPHYLAXIS),
        missing_rule="treatment-without-event",
    )
    intent: CourseIntent = field("Purpose of the course.", sa_type=CODE)
    agent: A = field("Anticoagulant.", sa_type=CODE)
    dose: float = field("Dose per administration (or infusion rate), in dose_unit.", gt=0)
    dose_unit: U = field("Unit of the dose; must suit the agent.", sa_type=CODE)
    frequency: Frequency = field("Dosing frequency.", sa_type=CODE)
    weight_kg: float = field("Weight used for dosing.", unit="kg", ge=1.5, le=200)
    start_date: Date = field(
        "First dose; for treatment not earlier than the event's diagnosis_date - 1 day.",
        record_date=True,
    )
    intended_duration: IntendedDuration = field("Planned duration at the start.", sa_type=CODE)
    stop_date: Date | None = field("Last dose; missing while ongoing.", required=False)
    stop_reason: StopReason | None = field(
        "Why the course stopped.", iff=Present("stop_date"), sa_type=CODE
    )

    def row_rules(self) -> Iterator[Violation]:
        allowed_units = AGENT_UNITS[self.agent]
        if self.schema_version == "1.0":
            allowed_units |= UNITS_ACCEPTED_IN_1_0.get(self.agent, frozenset())
        if self.dose_unit not in allowed_units:
            allowed = ", ".join(sorted(u.value for u in allowed_units))
            yield Violation(
                "unit-mismatch",
                "dose_unit",
                f"{self.agent.value} is not dosed in {self.dose_unit.value} (allowed: {allowed})",
            )
        yield from self._not_before("stop_date", "start_date")


class AnticoagulationCourse(StoredRecord, AnticoagulationCourseRecord, table=True):
    """The ``anticoagulation_courses`` table (persistence only)."""

    __tablename__ = "anticoagulation_courses"
