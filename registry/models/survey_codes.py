"""Code lists of the provider practice survey (shared/spec/survey.md).

Member names are the upper-cased codes; the human label lives in the enum metadata, as for
the registry's code lists (``registry.models.codes``).
"""

from __future__ import annotations

from registry.models.codes import CodeList

__all__ = [
    "AlwaysSometimesNever",
    "AntiXaMonitoring",
    "AntiXaTarget",
    "AsparaginaseAfterVte",
    "CodeList",
    "Country",
    "Doac",
    "DoacUse",
    "FibrinogenThreshold",
    "FirstAgent",
    "InstitutionType",
    "LineRemoval",
    "LowPlateletPractice",
    "NewLeukemiaPerYear",
    "PlateletHoldThreshold",
    "PlateletReduceThreshold",
    "PlateletTransfusion",
    "PracticeType",
    "PrimaryProphylaxis",
    "ProphylaxisAgent",
    "ProtocolBackbone",
    "Reimaging",
    "SecondaryProphylaxis",
    "Thrombolysis",
    "ThrombophiliaPanel",
    "ThrombophiliaTesting",
    "TreatmentDuration",
    "VteManager",
    "VteType",
    "VteTypeTreated",
    "YearsInPractice",
    "YesNo",
    "YesNoCaseByCase",
    "YesNoHighRisk",
]


def _code_list(name: str, *pairs: tuple[str, str]) -> type[CodeList]:
    """A survey code list; member names are the upper-cased codes (some start with a digit)."""
    members = [(code.upper(), (code, label)) for code, label in pairs]
    # The functional Enum API with (value, label) tuples: typeshed knows only plain values.
    return CodeList(name, members)  # type: ignore[arg-type,return-value]


PracticeType = _code_list(
    "PracticeType",
    ("hematology", "Hematology"),
    ("oncology", "Oncology"),
    ("combined_hem_onc", "Combined hematology/oncology"),
    ("bmt", "BMT"),
    ("other", "Other"),
)
YearsInPractice = _code_list(
    "YearsInPractice",
    ("le_5", "≤ 5 years"),
    ("6_10", "6-10 years"),
    ("11_15", "11-15 years"),
    ("ge_16", "≥ 16 years"),
)
NewLeukemiaPerYear = _code_list(
    "NewLeukemiaPerYear",
    ("0_50", "0-50"),
    ("51_100", "51-100"),
    ("101_150", "101-150"),
    ("gt_150", "> 150"),
)
Country = _code_list("Country", ("us", "United States"), ("other", "Other"))
InstitutionType = _code_list(
    "InstitutionType",
    ("freestanding_childrens", "Freestanding children's hospital"),
    ("childrens_within_adult", "Children's hospital within an adult hospital"),
    ("community", "Community hospital"),
    ("other", "Other"),
)
YesNo = _code_list("YesNo", ("yes", "Yes"), ("no", "No"))
VteManager = _code_list(
    "VteManager",
    ("primary_oncology", "Primary oncology team"),
    ("hematology_thrombosis_consult", "Hematology / thrombosis consult"),
    ("shared", "Shared"),
)
ProtocolBackbone = _code_list(
    "ProtocolBackbone",
    ("cog", "COG"),
    ("dfci", "DFCI"),
    ("st_jude", "St. Jude"),
    ("other", "Other"),
)
_VTE_TYPES = (
    ("cvc_dvt", "Catheter-associated DVT"),
    ("non_cvc_dvt", "Non-catheter limb DVT"),
    ("pe", "Pulmonary embolism"),
    ("csvt", "Cerebral sinovenous thrombosis"),
    ("intracardiac", "Intracardiac thrombus"),
    ("splanchnic", "Splanchnic vein thrombosis"),
)
VteTypeTreated = _code_list("VteTypeTreated", *_VTE_TYPES, ("none", "None"))
VteType = _code_list("VteType", *_VTE_TYPES)
FirstAgent = _code_list(
    "FirstAgent",
    ("lmwh", "Low-molecular-weight heparin"),
    ("ufh", "Unfractionated heparin"),
    ("doac", "Direct oral anticoagulant"),
    ("vka", "Vitamin K antagonist"),
    ("fondaparinux", "Fondaparinux"),
    ("none", "None"),
)
TreatmentDuration = _code_list(
    "TreatmentDuration",
    ("6_weeks", "6 weeks"),
    ("3_months", "3 months"),
    ("6_months", "6 months"),
    ("until_line_removal", "Until line removal"),
    ("until_end_of_asparaginase", "Until end of asparaginase"),
    ("until_end_of_therapy", "Until end of ALL therapy"),
    ("other", "Other"),
)
Reimaging = _code_list(
    "Reimaging",
    ("none", "No repeat imaging"),
    ("2_4_weeks", "At 2-4 weeks"),
    ("6_weeks", "At 6 weeks"),
    ("3_months", "At 3 months"),
    ("before_stopping", "Before stopping anticoagulation"),
)
LineRemoval = _code_list(
    "LineRemoval",
    ("always", "Always"),
    ("if_nonfunctional_or_infected", "Only if non-functional or infected"),
    ("never", "Never"),
)
AlwaysSometimesNever = _code_list(
    "AlwaysSometimesNever",
    ("always", "Always"),
    ("sometimes", "Sometimes"),
    ("never", "Never"),
)
Thrombolysis = _code_list(
    "Thrombolysis",
    ("never", "Never"),
    ("selected", "In selected patients"),
    ("routinely", "Routinely"),
)
YesNoCaseByCase = _code_list(
    "YesNoCaseByCase",
    ("yes", "Yes"),
    ("no", "No"),
    ("case_by_case", "Case by case"),
)
DoacUse = _code_list(
    "DoacUse",
    ("never", "Never"),
    ("maintenance_only", "During maintenance only"),
    ("selected", "In selected patients"),
    ("routinely", "Routinely"),
)
Doac = _code_list(
    "Doac",
    ("rivaroxaban", "Rivaroxaban"),
    ("apixaban", "Apixaban"),
    ("dabigatran", "Dabigatran"),
    ("edoxaban", "Edoxaban"),
)
AntiXaMonitoring = _code_list(
    "AntiXaMonitoring",
    ("never", "Never"),
    ("after_start_only", "After the start only"),
    ("periodically", "Periodically"),
    ("with_every_dose_change", "With every dose change"),
)
AntiXaTarget = _code_list(
    "AntiXaTarget",
    ("0_3", "0.3 U/mL"),
    ("0_5", "0.5 U/mL"),
    ("0_6", "0.6 U/mL"),
    ("other", "Other"),
)
LowPlateletPractice = _code_list(
    "LowPlateletPractice",
    ("always", "Continue full dose"),
    ("dose_reduced", "Reduce the dose"),
    ("held", "Hold"),
    ("case_by_case", "Case by case"),
)
PlateletReduceThreshold = _code_list(
    "PlateletReduceThreshold",
    ("lt_100", "< 100"),
    ("lt_75", "< 75"),
    ("lt_50", "< 50"),
    ("lt_30", "< 30"),
    ("lt_25", "< 25"),
    ("lt_20", "< 20"),
    ("never_reduce", "Never reduce"),
)
PlateletHoldThreshold = _code_list(
    "PlateletHoldThreshold",
    ("lt_50", "< 50"),
    ("lt_30", "< 30"),
    ("lt_25", "< 25"),
    ("lt_20", "< 20"),
    ("lt_10", "< 10"),
    ("never_hold", "Never hold"),
)
PlateletTransfusion = _code_list(
    "PlateletTransfusion",
    ("never", "Never"),
    ("acute_period_only", "In the acute period only"),
    ("always", "Always"),
)
AsparaginaseAfterVte = _code_list(
    "AsparaginaseAfterVte",
    ("yes", "Yes"),
    ("no", "No"),
    ("after_stabilization", "After the thrombus is stable"),
    ("case_by_case", "Case by case"),
)
YesNoHighRisk = _code_list(
    "YesNoHighRisk",
    ("yes", "Yes"),
    ("no", "No"),
    ("high_risk_only", "High-risk patients only"),
)
PrimaryProphylaxis = _code_list(
    "PrimaryProphylaxis",
    ("none", "None"),
    ("high_risk_only", "High-risk patients only"),
    ("all_patients", "All patients"),
)
ProphylaxisAgent = _code_list(
    "ProphylaxisAgent",
    ("lmwh", "LMWH"),
    ("antithrombin_concentrate", "Antithrombin concentrate"),
    ("ffp", "Fresh frozen plasma"),
    ("cryoprecipitate_fibrinogen", "Cryoprecipitate / fibrinogen"),
    ("doac", "DOAC"),
)
FibrinogenThreshold = _code_list(
    "FibrinogenThreshold",
    ("lt_0_5", "< 0.5 g/L"),
    ("lt_1_0", "< 1.0 g/L"),
    ("lt_1_5", "< 1.5 g/L"),
    ("never", "Never replace"),
)
SecondaryProphylaxis = _code_list(
    "SecondaryProphylaxis",
    ("never", "Never"),
    ("selected", "In selected patients"),
    ("always", "Always"),
)
ThrombophiliaTesting = _code_list(
    "ThrombophiliaTesting",
    ("never", "Never"),
    ("after_vte_only", "After a VTE only"),
    ("high_risk_at_diagnosis", "High-risk patients at diagnosis"),
    ("all_at_diagnosis", "All patients at diagnosis"),
)
ThrombophiliaPanel = _code_list(
    "ThrombophiliaPanel",
    ("factor_v_leiden", "Factor V Leiden"),
    ("prothrombin_g20210a", "Prothrombin G20210A"),
    ("protein_c", "Protein C"),
    ("protein_s", "Protein S"),
    ("antithrombin", "Antithrombin"),
    ("lipoprotein_a", "Lipoprotein(a)"),
    ("antiphospholipid", "Antiphospholipid antibodies"),
)

SURVEY_CODE_LISTS = (
    PracticeType,
    YearsInPractice,
    NewLeukemiaPerYear,
    Country,
    InstitutionType,
    YesNo,
    VteManager,
    ProtocolBackbone,
    VteTypeTreated,
    VteType,
    FirstAgent,
    TreatmentDuration,
    Reimaging,
    LineRemoval,
    AlwaysSometimesNever,
    Thrombolysis,
    YesNoCaseByCase,
    DoacUse,
    Doac,
    AntiXaMonitoring,
    AntiXaTarget,
    LowPlateletPractice,
    PlateletReduceThreshold,
    PlateletHoldThreshold,
    PlateletTransfusion,
    AsparaginaseAfterVte,
    YesNoHighRisk,
    PrimaryProphylaxis,
    ProphylaxisAgent,
    FibrinogenThreshold,
    SecondaryProphylaxis,
    ThrombophiliaTesting,
    ThrombophiliaPanel,
)
__all__ += [c.__name__ for c in SURVEY_CODE_LISTS] + ["SURVEY_CODE_LISTS"]
