"""vte_events: one row per objectively confirmed thrombotic event (prefix V)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.models import anatomy
from registry.models.base import RegistryRecord, StoredRecord, Violation
from registry.models.codes import (
    Detection,
    EventSide,
    Imaging,
    InsertionVein,
    InterventionType,
    Occlusive,
    Phase,
    VteSite,
)
from registry.models.fields import CODE, Bound, Date, Eq, Flag, field, own_id, patient_ref, ref

__all__ = [
    "CTCAE_GRADE_3_SITES",
    "LOWER_BODY_VEINS",
    "SITES_A_CATHETER_CANNOT_CAUSE",
    "SUITABLE_IMAGING",
    "UPPER_BODY_VEINS",
    "URGENT_INTERVENTIONS",
    "VteEvent",
    "VteEventRecord",
    "ctcae_grade",
    "ptwg_by_detection",
]

_S, _I = VteSite, Imaging
_VENOUS_LIMB = frozenset({_I.DOPPLER_ULTRASOUND, _I.VENOGRAPHY, _I.CT, _I.MRI_MRV, _I.AUTOPSY})
#: Imaging that can confirm a thrombosis at each site (rule imaging-site-mismatch): PE by
#: CTPA or V/Q, CSVT by MRI/MRV or CT, right atrium by echocardiography; autopsy anywhere
#: [V BMC Cancer 2017;17:3306, Table 2].
SUITABLE_IMAGING: dict[VteSite, frozenset[Imaging]] = {
    _S.CVC_UPPER_DVT: _VENOUS_LIMB,
    _S.NON_CVC_UPPER_DVT: _VENOUS_LIMB,
    _S.LOWER_EXTREMITY_DVT: _VENOUS_LIMB,
    _S.PULMONARY_EMBOLISM: frozenset({_I.CT_PULMONARY_ANGIOGRAPHY, _I.VQ_SCAN, _I.AUTOPSY}),
    _S.CEREBRAL_SINOVENOUS: frozenset({_I.MRI_MRV, _I.CT, _I.AUTOPSY}),
    _S.RIGHT_ATRIAL: frozenset({_I.ECHOCARDIOGRAPHY, _I.CT, _I.MRI_MRV, _I.AUTOPSY}),
    _S.SPLANCHNIC: frozenset({_I.DOPPLER_ULTRASOUND, _I.CT, _I.MRI_MRV, _I.AUTOPSY}),
    _S.RENAL_VEIN: frozenset({_I.DOPPLER_ULTRASOUND, _I.CT, _I.MRI_MRV, _I.AUTOPSY}),
    _S.ARTERIAL: frozenset({_I.DOPPLER_ULTRASOUND, _I.CT, _I.MRI_MRV, _I.AUTOPSY}),
    _S.OTHER: frozenset(_I),
}


#: Sites that CTCAE v5 names as its grade-3 examples ("e.g., pulmonary embolism or
#: intracardiac thrombus"): urgent medical intervention indicated.
#: [CTCAE v5.0 (NCI, 2017), Vascular disorders, Thromboembolic event; PMC8803367 Table 3]
CTCAE_GRADE_3_SITES = frozenset({_S.PULMONARY_EMBOLISM, _S.RIGHT_ATRIAL})
#: Interventions that are urgent medical interventions: thrombolysis and thrombectomy (spec
#: 1.1, vte_interventions). A filter or a stent is a medical intervention (grade 2 at least).
URGENT_INTERVENTIONS = frozenset(
    {
        InterventionType.SYSTEMIC_THROMBOLYSIS,
        InterventionType.CATHETER_DIRECTED_THROMBOLYSIS,
        InterventionType.MECHANICAL_THROMBECTOMY,
        InterventionType.SURGICAL_THROMBECTOMY,
    }
)


#: Veins of the upper body: a catheter there cannot cause a lower-extremity DVT, and a
#: femoral catheter cannot cause an upper-extremity one (rule site-catheter-inconsistent).
UPPER_BODY_VEINS = frozenset(
    {
        InsertionVein.INTERNAL_JUGULAR,
        InsertionVein.SUBCLAVIAN,
        InsertionVein.BASILIC,
        InsertionVein.BRACHIAL,
        InsertionVein.CEPHALIC,
    }
)
LOWER_BODY_VEINS = frozenset({InsertionVein.FEMORAL})
#: Sites that a catheter in each part of the body cannot cause.
SITES_A_CATHETER_CANNOT_CAUSE = {
    "upper": frozenset({_S.LOWER_EXTREMITY_DVT}),
    "lower": frozenset({_S.CVC_UPPER_DVT}),
}


def ctcae_grade(
    *,
    died_of_event: bool,
    life_threatening: bool,
    urgent_intervention: bool,
    site: VteSite,
    treated: bool,
) -> int:
    """The CTCAE v5 grade of a thromboembolic event, derived from the raw fields.

    5 death (the patient died of VTE, on or after this event); 4 life-threatening
    consequences with hemodynamic or neurologic instability; 3 urgent medical intervention
    indicated, which CTCAE exemplifies by pulmonary embolism and intracardiac thrombus; 2
    medical intervention indicated (a treatment course or an intervention); 1 none.
    [CTCAE v5.0 (NCI, 2017), Thromboembolic event; clinical-background.md §3]
    The rule ``ctcae-inconsistent`` (catalogue/sql) computes the same in SQL; a test holds
    the two to each other on every combination.
    """
    if died_of_event:
        return 5
    if life_threatening:
        return 4
    if urgent_intervention or site in CTCAE_GRADE_3_SITES:
        return 3
    return 2 if treated else 1


def ptwg_by_detection(detection: Detection) -> bool | None:
    """PTWG qualification decided by detection alone (None: depends on treatment).

    Symptomatic events and events found at autopsy qualify; events found by screening do
    not; incidental events qualify only when treated with systemic anticoagulation.
    """
    if detection in (Detection.SYMPTOMATIC, Detection.AUTOPSY):
        return True
    if detection == Detection.SCREENING:
        return False
    return None


class VteEventRecord(RegistryRecord):
    """A thrombotic event as submitted; validates on construction."""

    table_name = "vte_events"
    id_prefix = "V"
    id_field = "event_id"
    row_rule_ids = ("id-format", "ptwg-inconsistent", "fk-missing", "event-anatomy-inconsistent")
    row_checks = anatomy.row_checks("vte_events")

    event_id: str = own_id("Event record ID: <patient_id>-V<n>.")
    patient_id: str = patient_ref()
    diagnosis_date: Date = field(
        "Date the event was diagnosed; not more than 30 days before the ALL diagnosis, not "
        "after the data cutoff, and not before the event it recurs from.",
        not_before_diagnosis_days=30,
        bounds=(Bound("recurrence_of_event_id", "diagnosis_date"),),
        record_date=True,
    )
    site: VteSite = field("Site of the thrombosis.", sa_type=CODE)
    catheter_related: Flag = field("Thrombosis related to a central venous catheter.")
    catheter_id: str | None = ref(
        "catheters.catheter_id",
        "The catheter involved (-> catheters of the same patient, in place on diagnosis_date).",
        iff=Eq("catheter_related", True),
    )
    detection: Detection = field("How the event came to attention.", sa_type=CODE)
    imaging: Imaging = field("Imaging that confirmed the event; must suit the site.", sa_type=CODE)
    occlusive: Occlusive = field("Occlusion of the vessel.", sa_type=CODE)
    phase_at_event: Phase = field(
        "Treatment phase on diagnosis_date (as recorded in treatment_phases).", sa_type=CODE
    )
    platelets_at_diagnosis: float = field(
        "Platelet count at event diagnosis.", unit="x10^9/L", ge=0, le=2000
    )
    fibrinogen_at_diagnosis: float | None = field(
        "Fibrinogen at event diagnosis.",
        unit="g/L",
        ge=0.1,
        le=10,
        required=False,
        monitor_completeness=True,
    )
    antithrombin_at_diagnosis: float | None = field(
        "Antithrombin activity at event diagnosis.",
        unit="%",
        ge=5,
        le=200,
        required=False,
        monitor_completeness=True,
    )
    on_prophylaxis: Flag = field("On anticoagulant prophylaxis at onset.")
    recurrence_of_event_id: str | None = ref(
        "vte_events.event_id",
        "Earlier event of the same patient that this one recurs or extends.",
        required=False,
    )
    side: EventSide | None = field(
        "Side of the thrombosis.", required=False, sa_type=CODE, since="1.1"
    )
    urgent_intervention: Flag = field(
        "Urgent medical intervention indicated (CTCAE v5 grade 3 criterion): e.g. "
        "thrombolysis, thrombectomy, ICU admission for the event.",
        since="1.1",
    )
    life_threatening: Flag = field(
        "Life-threatening consequences with hemodynamic or neurologic instability (CTCAE v5 "
        "grade 4 criterion).",
        since="1.1",
    )
    csvt_infarct_or_hemorrhage: Flag | None = field(
        "Venous infarct or hemorrhage on imaging (cerebral sinovenous thrombosis only).",
        iff=Eq("site", VteSite.CEREBRAL_SINOVENOUS),
        since="1.1",
    )
    ctcae_grade: int = field(
        "CTCAE v5 grade of the thromboembolic event; must equal the grade derived from "
        "life_threatening, urgent_intervention, the site, treatment and death from VTE.",
        ge=1,
        le=5,
        source="CTCAE v5.0 (2017), Vascular disorders: Thromboembolic event",
    )
    ptwg_qualifying: Flag = field(
        "Meets the Ponte di Legno definition: symptomatic or found at autopsy, or incidental "
        "and treated with systemic anticoagulation.",
        source="Schmiegelow et al., Lancet Oncol 2016;17:e231 (as applied in NOPHO ALL2008)",
    )

    def row_rules(self) -> Iterator[Violation]:
        expected = ptwg_by_detection(self.detection)
        if expected is not None and self.ptwg_qualifying != expected:
            yield Violation(
                "ptwg-inconsistent",
                "ptwg_qualifying",
                f"a {self.detection.value} event is "
                f"{'always' if expected else 'never'} PTWG-qualifying",
            )
        if self.recurrence_of_event_id is not None and self.recurrence_of_event_id == self.event_id:
            yield Violation(
                "fk-missing", "recurrence_of_event_id", "an event cannot be a recurrence of itself"
            )


class VteEvent(StoredRecord, VteEventRecord, table=True):
    """The ``vte_events`` table (persistence only)."""

    __tablename__ = "vte_events"
