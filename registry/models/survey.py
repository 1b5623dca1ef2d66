"""The provider practice survey: 44 items (shared/spec/survey.md) and one response per row.

The items are declared once, as data (``ITEMS``); the response model, its REDCap checkbox
columns (``<item>___<code>`` holding 0/1), branching rules and the REDCap instrument are all
built from them.

Required items (q01, q02, q04) are required of *complete* responses only: the published
survey counts 154 submissions of which only 145 answered practice type, so partial
submissions exist and must not be rejected (see the data dictionary).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

from pydantic import create_model

from registry.models import survey_codes as c
from registry.models.base import RegistryRecord, Violation
from registry.models.fields import CODE, Checked, Cond, Eq, Flag, Ne, field

__all__ = [
    "CALIBRATION_FILE",
    "CHECKBOX_SEPARATOR",
    "EXPORT_FILE",
    "ITEMS",
    "RESPONSE_ID_PATTERN",
    "Item",
    "SurveyResponse",
    "SurveyResponseRecord",
    "checkbox_column",
    "item",
    "threshold_inconsistent",
]

#: Written by the synthetic survey beside its export: which items' answers are not calibrated
#: to a published figure, so that every summary of it can say so.
CALIBRATION_FILE = "survey_calibration.json"

CHECKBOX_SEPARATOR = "___"
#: File name of a survey export inside a folder.
EXPORT_FILE = "survey_responses.csv"
ItemKind = Literal["single", "multi", "int", "text"]


@dataclass(frozen=True)
class Item:
    """One survey item."""

    id: str
    section: str
    label: str
    kind: ItemKind
    codes: type[c.CodeList] | None = None
    required: bool = False
    only_if: Cond | None = None
    low: int | None = None
    high: int | None = None
    exclusive: tuple[str, ...] = ()
    #: Published figures exist for this item (Degliuomini 2021); others are uncalibrated.
    published: bool = False
    columns: tuple[str, ...] = dc_field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.kind == "multi":
            assert self.codes is not None
            cols = tuple(checkbox_column(self.id, code) for code in self.codes.codes())
        else:
            cols = (self.id,)
        object.__setattr__(self, "columns", cols)

    def answered(self, record: Any) -> bool:
        if self.kind == "multi":
            return any(getattr(record, col, None) for col in self.columns)
        return getattr(record, self.id, None) is not None

    def ticked(self, record: Any) -> list[str]:
        """Codes ticked in a multi-select item."""
        assert self.codes is not None
        return [
            code
            for code in self.codes.codes()
            if getattr(record, checkbox_column(self.id, code), None)
        ]


def checkbox_column(item_id: str, code: str) -> str:
    """The REDCap checkbox column of one option: ``q10_vte_types_treated___pe``."""
    return f"{item_id}{CHECKBOX_SEPARATOR}{code}"


A, B, C, D, E, F, G, H, I_, J = (
    "A. Respondent",
    "B. VTE treated",
    "C. Catheter-associated DVT",
    "D. Pulmonary embolism",
    "E. Cerebral sinovenous thrombosis",
    "F. Anticoagulant use",
    "G. Thrombocytopenia",
    "H. Asparaginase and procedures",
    "I. Prevention",
    "J. Thrombophilia",
)

ITEMS: tuple[Item, ...] = (
    Item(
        "q01_practice_type",
        A,
        "Primary practice",
        "single",
        c.PracticeType,
        required=True,
        published=True,
    ),
    Item(
        "q02_years_in_practice",
        A,
        "Years in practice after training",
        "single",
        c.YearsInPractice,
        required=True,
        published=True,
    ),
    Item(
        "q03_new_leukemia_per_year",
        A,
        "New leukemia diagnoses per year at your institution",
        "single",
        c.NewLeukemiaPerYear,
        published=True,
    ),
    Item(
        "q04_country", A, "Country of practice", "single", c.Country, required=True, published=True
    ),
    Item("q05_country_other", A, "Country (if other)", "text", only_if=Eq("q04_country", "other")),
    Item("q06_institution_type", A, "Institution", "single", c.InstitutionType),
    Item(
        "q07_thrombosis_service",
        A,
        "Institution has a dedicated pediatric thrombosis service",
        "single",
        c.YesNo,
    ),
    Item("q08_vte_manager", A, "Who manages VTE in your leukemia patients", "single", c.VteManager),
    Item(
        "q09_protocol_backbone", A, "ALL treatment backbone used most", "single", c.ProtocolBackbone
    ),
    Item(
        "q10_vte_types_treated",
        B,
        "VTE types you treated in the past 2 years",
        "multi",
        c.VteTypeTreated,
        exclusive=("none",),
    ),
    Item(
        "q11_most_common_vte", B, "Most common VTE you treat", "single", c.VteType, published=True
    ),
    Item(
        "q12_cvc_first_agent",
        C,
        "Catheter-associated DVT: first-line anticoagulant",
        "single",
        c.FirstAgent,
    ),
    Item(
        "q13_cvc_duration",
        C,
        "Catheter-associated DVT: usual treatment duration",
        "single",
        c.TreatmentDuration,
        published=True,
    ),
    Item(
        "q14_cvc_reimaging",
        C,
        "Catheter-associated DVT: timing of repeat imaging",
        "single",
        c.Reimaging,
    ),
    Item(
        "q15_cvc_line_removal",
        C,
        "Removal of a functioning catheter with thrombus",
        "single",
        c.LineRemoval,
    ),
    Item(
        "q16_cvc_delay_removal",
        C,
        "Anticoagulate before removal (days)",
        "int",
        low=0,
        high=14,
        only_if=Ne("q15_cvc_line_removal", "never"),
    ),
    Item(
        "q17_treat_incidental",
        C,
        "Treat incidental (asymptomatic) catheter thrombus",
        "single",
        c.AlwaysSometimesNever,
    ),
    Item("q18_pe_first_agent", D, "PE: first-line anticoagulant", "single", c.FirstAgent),
    Item("q19_pe_duration", D, "PE: usual duration", "single", c.TreatmentDuration),
    Item("q20_pe_reimaging", D, "PE: timing of repeat imaging", "single", c.Reimaging),
    Item(
        "q21_pe_thrombolysis", D, "Use of thrombolysis for submassive PE", "single", c.Thrombolysis
    ),
    Item("q22_csvt_first_agent", E, "CSVT: first-line anticoagulant", "single", c.FirstAgent),
    Item("q23_csvt_duration", E, "CSVT: usual duration", "single", c.TreatmentDuration),
    Item("q24_csvt_reimaging", E, "CSVT: timing of repeat imaging", "single", c.Reimaging),
    Item(
        "q25_csvt_hemorrhage",
        E,
        "Anticoagulate CSVT with hemorrhagic infarct",
        "single",
        c.YesNoCaseByCase,
    ),
    Item("q26_doac_use", F, "Use of DOACs in children with ALL", "single", c.DoacUse),
    Item("q27_doac_agents", F, "DOACs used", "multi", c.Doac, only_if=Ne("q26_doac_use", "never")),
    Item("q28_anti_xa_monitoring", F, "Anti-Xa monitoring of LMWH", "single", c.AntiXaMonitoring),
    Item(
        "q29_anti_xa_target",
        F,
        "Target anti-Xa for treatment (U/mL, lower bound)",
        "single",
        c.AntiXaTarget,
    ),
    Item(
        "q30_continue_low_platelets",
        G,
        "Continue anticoagulation during thrombocytopenia",
        "single",
        c.LowPlateletPractice,
    ),
    Item(
        "q31_plt_reduce_threshold",
        G,
        "Platelet count (x10^9/L) below which you reduce the dose",
        "single",
        c.PlateletReduceThreshold,
    ),
    Item(
        "q32_plt_hold_threshold",
        G,
        "Platelet count (x10^9/L) below which you hold",
        "single",
        c.PlateletHoldThreshold,
    ),
    Item(
        "q33_transfuse_platelets",
        G,
        "Transfuse platelets to keep full-dose anticoagulation",
        "single",
        c.PlateletTransfusion,
    ),
    Item(
        "q34_transfusion_target",
        G,
        "Platelet target when transfusing (x10^9/L)",
        "int",
        low=10,
        high=100,
        only_if=Ne("q33_transfuse_platelets", "never"),
    ),
    Item(
        "q35_asparaginase_after_vte",
        H,
        "Continue asparaginase after VTE",
        "single",
        c.AsparaginaseAfterVte,
    ),
    Item(
        "q36_lp_hold_hours", H, "Hours LMWH is held before lumbar puncture", "int", low=0, high=72
    ),
    Item(
        "q37_monitor_fibrinogen_at",
        H,
        "Routinely monitor fibrinogen/antithrombin during asparaginase",
        "single",
        c.YesNoHighRisk,
    ),
    Item(
        "q38_primary_prophylaxis",
        I_,
        "Primary thromboprophylaxis during induction",
        "single",
        c.PrimaryProphylaxis,
    ),
    Item(
        "q39_prophylaxis_agents",
        I_,
        "Agents used for prophylaxis",
        "multi",
        c.ProphylaxisAgent,
        only_if=Ne("q38_primary_prophylaxis", "none"),
    ),
    Item(
        "q40_at_replace_threshold",
        I_,
        "Antithrombin activity (%) below which you replace",
        "int",
        low=20,
        high=100,
        only_if=Checked("q39_prophylaxis_agents", "antithrombin_concentrate"),
    ),
    Item(
        "q41_fibrinogen_threshold",
        I_,
        "Fibrinogen (g/L) below which you replace",
        "single",
        c.FibrinogenThreshold,
    ),
    Item(
        "q42_secondary_prophylaxis",
        I_,
        "Secondary prophylaxis after VTE during later asparaginase",
        "single",
        c.SecondaryProphylaxis,
    ),
    Item(
        "q43_thrombophilia_testing",
        J,
        "Thrombophilia testing in ALL",
        "single",
        c.ThrombophiliaTesting,
    ),
    Item(
        "q44_thrombophilia_panel",
        J,
        "Tests included",
        "multi",
        c.ThrombophiliaPanel,
        only_if=Ne("q43_thrombophilia_testing", "never"),
    ),
)
_BY_ID = {it.id: it for it in ITEMS}


def item(item_id: str) -> Item:
    return _BY_ID[item_id]


_COMPLETE = Eq("complete", True)
_REDUCE_AT = {"lt_100": 100, "lt_75": 75, "lt_50": 50, "lt_30": 30, "lt_25": 25, "lt_20": 20}
_HOLD_AT = {"lt_50": 50, "lt_30": 30, "lt_25": 25, "lt_20": 20, "lt_10": 10}


def threshold_inconsistent(record: Any) -> bool:
    """Warning rule: the platelet count to hold at is above the count to reduce at."""
    reduce_at = _REDUCE_AT.get(getattr(record, "q31_plt_reduce_threshold", None) or "")
    hold_at = _HOLD_AT.get(getattr(record, "q32_plt_hold_threshold", None) or "")
    return reduce_at is not None and hold_at is not None and hold_at > reduce_at


#: A response ID: ours (R + 6 digits), or REDCap's auto-numbered record ID (n, or group-n
#: with data access groups).
RESPONSE_ID_PATTERN = r"^(R[0-9]{6}|[1-9][0-9]{0,9}|[1-9][0-9]{0,9}-[1-9][0-9]{0,9})$"


class _SurveyBase(RegistryRecord):
    """Response metadata and the rules that span items."""

    table_name = "survey_responses"
    id_field = "response_id"
    row_rule_ids = ("unexpected-value", "exclusive-option", "end-before-start")

    response_id: str = field(
        "Pseudonymous response ID: 'R' and 6 digits in this package's export; in a REDCap "
        "export REDCap's own record ID, a positive integer or, with data access groups, "
        "'<group number>-<n>' (shared/spec/survey.md), reported as the export names it.",
        pattern=RESPONSE_ID_PATTERN,
        primary_key=True,
        max_length=21,
    )
    started_at: dt.datetime = field("When the respondent opened the survey.")
    submitted_at: dt.datetime | None = field(
        "When the response was submitted; not before started_at.", required=False
    )
    complete: Flag = field("The respondent submitted the whole survey.")

    def row_rules(self) -> Iterator[Violation]:
        yield from self._not_before("submitted_at", "started_at")
        for it in ITEMS:
            if it.kind != "multi":
                continue
            ticked = it.ticked(self)
            # Checkbox exports hold 0 for every option of a hidden item: only a 1 is an answer.
            if ticked and it.only_if is not None and not it.only_if.holds(self):
                yield Violation(
                    "unexpected-value",
                    checkbox_column(it.id, ticked[0]),
                    f"{it.id} must be unanswered unless {it.only_if.text()}",
                )
            exclusive = [code for code in ticked if code in it.exclusive]
            if exclusive and len(ticked) > 1:
                yield Violation(
                    "exclusive-option",
                    checkbox_column(it.id, exclusive[0]),
                    f"'{exclusive[0]}' cannot be ticked together with other options of {it.id}",
                )


def _fields() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in ITEMS:
        text = f"{it.section}: {it.label}."
        if it.kind == "single":
            out[it.id] = (
                it.codes | None,  # type: ignore[operator]
                field(
                    text,
                    required_when=_COMPLETE if it.required else None,
                    only_when=it.only_if,
                    required=False,
                    sa_type=CODE,
                ),
            )
        elif it.kind == "int":
            out[it.id] = (
                int | None,
                field(text, only_when=it.only_if, required=False, ge=it.low, le=it.high),
            )
        elif it.kind == "text":
            out[it.id] = (
                str | None,
                field(
                    text + " Free text: no identifiers.",
                    only_when=it.only_if,
                    required=False,
                    max_length=500,
                ),
            )
        else:
            assert it.codes is not None
            for member in it.codes:
                out[checkbox_column(it.id, member.value)] = (
                    Flag | None,
                    field(f"{text} Option ticked: {member.label} (1/0).", required=False),
                )
    return out


#: A validated survey response, for annotations: its fields are made at import from ITEMS,
#: so a type checker sees them as Any.
SurveyResponse = Any

#: A survey response as exported (raw codes, checkbox columns); validates on construction.
SurveyResponseRecord: type[_SurveyBase] = create_model(
    "SurveyResponseRecord", __base__=_SurveyBase, __module__=__name__, **_fields()
)
