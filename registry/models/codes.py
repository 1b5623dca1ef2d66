"""Code lists of the registry and the survey (spec: shared/spec/registry.md, survey.md).

CSV files hold the code (the enum value); the human label lives here, in the enum metadata,
and is what data dictionaries and REDCap choices show.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AnticoagulantAgent",
    "AsparaginaseProduct",
    "AsparaginaseUnit",
    "BleedingSite",
    "CatheterType",
    "CauseOfDeath",
    "CnsStatus",
    "CodeList",
    "CourseIntent",
    "Detection",
    "DoseAdjustmentAction",
    "DoseAdjustmentReason",
    "DoseUnit",
    "EventSide",
    "Frequency",
    "Imaging",
    "Immunophenotype",
    "InductionSteroid",
    "InsertionVein",
    "IntendedDuration",
    "InterventionType",
    "IsthCategory",
    "LabTest",
    "LabUnit",
    "LysisResult",
    "NciRiskGroup",
    "Occlusive",
    "OffStudyReason",
    "Phase",
    "Protocol",
    "PtsInstrument",
    "RemovalReason",
    "ResultCategory",
    "ResultUnit",
    "Route",
    "Sex",
    "Side",
    "StopReason",
    "Thrombolytic",
    "ThrombophiliaTest",
    "ThrombusResponse",
    "TipPosition",
    "VitalStatus",
    "VteSite",
    "YesNoUnknown",
]


class CodeList(StrEnum):
    """A closed set of codes; each member carries a human label (``Member.label``)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> CodeList:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value.replace("_", " ").capitalize()
        return obj

    @classmethod
    def codes(cls) -> list[str]:
        return [m.value for m in cls]


class Sex(CodeList):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class Immunophenotype(CodeList):
    B_CELL = "b_cell", "B-cell ALL"
    T_CELL = "t_cell", "T-cell ALL"
    MIXED_PHENOTYPE = "mixed_phenotype", "Mixed phenotype"
    UNKNOWN = "unknown", "Unknown"


class NciRiskGroup(CodeList):
    STANDARD = "standard", "NCI standard risk"
    HIGH = "high", "NCI high risk"


class CnsStatus(CodeList):
    CNS1 = "cns1", "CNS1"
    CNS2 = "cns2", "CNS2"
    CNS3 = "cns3", "CNS3"
    UNKNOWN = "unknown", "Unknown"


class Protocol(CodeList):
    COG = "cog", "Children's Oncology Group"
    DFCI = "dfci", "Dana-Farber Cancer Institute consortium"
    ST_JUDE = "st_jude", "St. Jude Total Therapy"
    BFM = "bfm", "Berlin-Frankfurt-Münster"
    NOPHO = "nopho", "NOPHO"
    UKALL = "ukall", "UKALL"
    OTHER = "other", "Other"


class InductionSteroid(CodeList):
    PREDNISONE = "prednisone", "Prednisone / prednisolone"
    DEXAMETHASONE = "dexamethasone", "Dexamethasone"
    BOTH = "both", "Both"
    NONE = "none", "None"


class YesNoUnknown(CodeList):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class VitalStatus(CodeList):
    ALIVE = "alive", "Alive"
    DEAD = "dead", "Dead"


class CauseOfDeath(CodeList):
    LEUKEMIA = "leukemia", "Leukemia"
    INFECTION = "infection", "Infection"
    VTE = "vte", "Venous thromboembolism"
    BLEEDING = "bleeding", "Bleeding"
    TREATMENT_TOXICITY_OTHER = "treatment_toxicity_other", "Other treatment toxicity"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class OffStudyReason(CodeList):
    COMPLETED_FOLLOW_UP = "completed_follow_up", "Completed follow-up"
    WITHDREW_CONSENT = "withdrew_consent", "Withdrew consent"
    TRANSFERRED = "transferred", "Transferred"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    DEATH = "death", "Death"


class Phase(CodeList):
    INDUCTION = "induction", "Induction"
    CONSOLIDATION = "consolidation", "Consolidation"
    INTERIM_MAINTENANCE_1 = "interim_maintenance_1", "Interim maintenance I"
    DELAYED_INTENSIFICATION_1 = "delayed_intensification_1", "Delayed intensification I"
    INTERIM_MAINTENANCE_2 = "interim_maintenance_2", "Interim maintenance II"
    DELAYED_INTENSIFICATION_2 = "delayed_intensification_2", "Delayed intensification II"
    MAINTENANCE = "maintenance", "Maintenance"
    HSCT = "hsct", "Hematopoietic stem cell transplantation"
    RELAPSE_THERAPY = "relapse_therapy", "Relapse therapy"
    OFF_THERAPY = "off_therapy", "Off therapy"


class CatheterType(CodeList):
    PICC = "picc", "Peripherally inserted central catheter"
    TUNNELED_CVC = "tunneled_cvc", "Tunneled central venous catheter"
    IMPLANTED_PORT = "implanted_port", "Implanted port"
    NON_TUNNELED_CVC = "non_tunneled_cvc", "Non-tunneled central venous catheter"


class InsertionVein(CodeList):
    INTERNAL_JUGULAR = "internal_jugular", "Internal jugular"
    SUBCLAVIAN = "subclavian", "Subclavian"
    FEMORAL = "femoral", "Femoral"
    BASILIC = "basilic", "Basilic"
    BRACHIAL = "brachial", "Brachial"
    CEPHALIC = "cephalic", "Cephalic"
    OTHER = "other", "Other"


class Side(CodeList):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class RemovalReason(CodeList):
    END_OF_THERAPY = "end_of_therapy", "End of therapy"
    INFECTION = "infection", "Infection"
    THROMBOSIS = "thrombosis", "Thrombosis"
    MALFUNCTION = "malfunction", "Malfunction"
    ACCIDENTAL = "accidental", "Accidental"
    DEATH = "death", "Death of the patient"
    OTHER = "other", "Other"


class AsparaginaseProduct(CodeList):
    PEGASPARGASE = "pegaspargase", "Pegaspargase"
    CALASPARGASE_PEGOL = "calaspargase_pegol", "Calaspargase pegol"
    ERWINIA_RECOMBINANT = "erwinia_recombinant", "Recombinant Erwinia asparaginase"
    ERWINIA_NATIVE = "erwinia_native", "Native Erwinia asparaginase"
    NATIVE_E_COLI = "native_e_coli", "Native E. coli asparaginase"


class AsparaginaseUnit(CodeList):
    IU_PER_M2 = "iu_per_m2", "IU/m²"
    MG_PER_M2 = "mg_per_m2", "mg/m²"


class Route(CodeList):
    IV = "iv", "Intravenous"
    IM = "im", "Intramuscular"


class ThrombophiliaTest(CodeList):
    FACTOR_V_LEIDEN = "factor_v_leiden", "Factor V Leiden (G1691A)"
    PROTHROMBIN_G20210A = "prothrombin_g20210a", "Prothrombin G20210A"
    PROTEIN_C_ACTIVITY = "protein_c_activity", "Protein C activity"
    PROTEIN_S_FREE_ANTIGEN = "protein_s_free_antigen", "Free protein S antigen"
    ANTITHROMBIN_ACTIVITY = "antithrombin_activity", "Antithrombin activity"
    LIPOPROTEIN_A = "lipoprotein_a", "Lipoprotein(a)"
    LUPUS_ANTICOAGULANT = "lupus_anticoagulant", "Lupus anticoagulant"
    ANTICARDIOLIPIN_IGG = "anticardiolipin_igg", "Anticardiolipin IgG"
    ANTI_BETA2_GLYCOPROTEIN_IGG = "anti_beta2_glycoprotein_igg", "Anti-β2-glycoprotein I IgG"


class ResultCategory(CodeList):
    NORMAL = "normal", "Normal"
    HETEROZYGOUS = "heterozygous", "Heterozygous"
    HOMOZYGOUS = "homozygous", "Homozygous"
    LOW = "low", "Low"
    HIGH = "high", "High"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    INDETERMINATE = "indeterminate", "Indeterminate"


class ResultUnit(CodeList):
    PERCENT = "percent", "%"
    MG_DL = "mg_dl", "mg/dL"
    NMOL_L = "nmol_l", "nmol/L"
    U_ML = "u_ml", "U/mL"
    GPL = "gpl", "GPL units"
    RATIO = "ratio", "Ratio"


class VteSite(CodeList):
    CVC_UPPER_DVT = "cvc_upper_dvt", "Catheter-related upper-extremity / central DVT"
    NON_CVC_UPPER_DVT = "non_cvc_upper_dvt", "Upper-extremity DVT, not catheter-related"
    LOWER_EXTREMITY_DVT = "lower_extremity_dvt", "Lower-extremity DVT"
    PULMONARY_EMBOLISM = "pulmonary_embolism", "Pulmonary embolism"
    CEREBRAL_SINOVENOUS = "cerebral_sinovenous", "Cerebral sinovenous thrombosis"
    RIGHT_ATRIAL = "right_atrial", "Right atrial thrombus"
    SPLANCHNIC = "splanchnic", "Splanchnic vein thrombosis"
    RENAL_VEIN = "renal_vein", "Renal vein thrombosis"
    ARTERIAL = "arterial", "Arterial thrombosis"
    OTHER = "other", "Other"


class Detection(CodeList):
    SYMPTOMATIC = "symptomatic", "Symptomatic"
    INCIDENTAL = "incidental", "Incidental (imaging done for another reason)"
    SCREENING = "screening", "Screening for thrombosis"
    AUTOPSY = "autopsy", "Autopsy"


class Imaging(CodeList):
    DOPPLER_ULTRASOUND = "doppler_ultrasound", "Doppler ultrasound"
    VENOGRAPHY = "venography", "Venography"
    CT = "ct", "CT / CT venography"
    CT_PULMONARY_ANGIOGRAPHY = "ct_pulmonary_angiography", "CT pulmonary angiography"
    MRI_MRV = "mri_mrv", "MRI / MR venography"
    ECHOCARDIOGRAPHY = "echocardiography", "Echocardiography"
    VQ_SCAN = "vq_scan", "Ventilation/perfusion scan"
    AUTOPSY = "autopsy", "Autopsy"


class Occlusive(CodeList):
    OCCLUSIVE = "occlusive", "Occlusive"
    NON_OCCLUSIVE = "non_occlusive", "Non-occlusive"
    UNKNOWN = "unknown", "Unknown"


class CourseIntent(CodeList):
    TREATMENT = "treatment", "Treatment of a VTE"
    PRIMARY_PROPHYLAXIS = "primary_prophylaxis", "Primary prophylaxis"
    SECONDARY_PROPHYLAXIS = "secondary_prophylaxis", "Secondary prophylaxis"


class AnticoagulantAgent(CodeList):
    ENOXAPARIN = "enoxaparin", "Enoxaparin"
    DALTEPARIN = "dalteparin", "Dalteparin"
    TINZAPARIN = "tinzaparin", "Tinzaparin"
    UNFRACTIONATED_HEPARIN = "unfractionated_heparin", "Unfractionated heparin"
    WARFARIN = "warfarin", "Warfarin"
    RIVAROXABAN = "rivaroxaban", "Rivaroxaban"
    APIXABAN = "apixaban", "Apixaban"
    DABIGATRAN = "dabigatran", "Dabigatran"
    EDOXABAN = "edoxaban", "Edoxaban"
    FONDAPARINUX = "fondaparinux", "Fondaparinux"
    ARGATROBAN = "argatroban", "Argatroban"
    BIVALIRUDIN = "bivalirudin", "Bivalirudin"
    ANTITHROMBIN_CONCENTRATE = "antithrombin_concentrate", "Antithrombin concentrate"


class DoseUnit(CodeList):
    MG_PER_KG = "mg_per_kg", "mg/kg"
    UNITS_PER_KG = "units_per_kg", "units/kg"
    UNITS_PER_KG_PER_HOUR = "units_per_kg_per_hour", "units/kg/h"
    MG = "mg", "mg"
    IU_PER_KG = "iu_per_kg", "IU/kg"
    MCG_PER_KG_PER_MIN = "mcg_per_kg_per_min", "µg/kg/min"
    MG_PER_KG_PER_HOUR = "mg_per_kg_per_hour", "mg/kg/h"


class Frequency(CodeList):
    ONCE_DAILY = "once_daily", "Once daily"
    TWICE_DAILY = "twice_daily", "Twice daily"
    THREE_TIMES_DAILY = "three_times_daily", "Three times daily"
    CONTINUOUS = "continuous", "Continuous infusion"
    OTHER = "other", "Other"


class IntendedDuration(CodeList):
    SIX_WEEKS = "6_weeks", "6 weeks"
    THREE_MONTHS = "3_months", "3 months"
    SIX_MONTHS = "6_months", "6 months"
    UNTIL_LINE_REMOVAL = "until_line_removal", "Until line removal"
    UNTIL_END_OF_ASPARAGINASE = "until_end_of_asparaginase", "Until end of asparaginase"
    UNTIL_END_OF_THERAPY = "until_end_of_therapy", "Until end of ALL therapy"
    INDEFINITE = "indefinite", "Indefinite"
    OTHER = "other", "Other"


class StopReason(CodeList):
    COMPLETED = "completed", "Completed as planned"
    BLEEDING = "bleeding", "Bleeding"
    THROMBOCYTOPENIA = "thrombocytopenia", "Thrombocytopenia"
    PROCEDURE = "procedure", "Procedure"
    SWITCHED_AGENT = "switched_agent", "Switched agent"
    PATIENT_PREFERENCE = "patient_preference", "Patient or family preference"
    DEATH = "death", "Death"
    OTHER = "other", "Other"


class DoseAdjustmentAction(CodeList):
    HELD = "held", "Held"
    REDUCED = "reduced", "Reduced"
    RESUMED_FULL = "resumed_full", "Resumed full dose"
    INCREASED = "increased", "Increased"


class DoseAdjustmentReason(CodeList):
    THROMBOCYTOPENIA = "thrombocytopenia", "Thrombocytopenia"
    PROCEDURE = "procedure", "Procedure"
    LUMBAR_PUNCTURE = "lumbar_puncture", "Lumbar puncture"
    BLEEDING = "bleeding", "Bleeding"
    ANTI_XA_OUT_OF_RANGE = "anti_xa_out_of_range", "Anti-Xa out of range"
    RENAL = "renal", "Renal function"
    OTHER = "other", "Other"


class LabTest(CodeList):
    PLATELETS = "platelets", "Platelet count"
    ANTI_XA = "anti_xa", "Anti-Xa activity"
    INR = "inr", "INR"
    APTT = "aptt", "aPTT"
    FIBRINOGEN = "fibrinogen", "Fibrinogen"
    ANTITHROMBIN = "antithrombin", "Antithrombin activity"
    D_DIMER = "d_dimer", "D-dimer"
    HEMOGLOBIN = "hemoglobin", "Hemoglobin"
    CREATININE = "creatinine", "Creatinine"
    ASPARAGINASE_ACTIVITY = "asparaginase_activity", "Serum asparaginase activity"


class LabUnit(CodeList):
    PLATELETS_10E9_L = "10e9_l", "×10⁹/L"
    U_ML = "u_ml", "U/mL"
    RATIO = "ratio", "Ratio"
    S = "s", "seconds"
    G_L = "g_l", "g/L"
    PERCENT = "percent", "%"
    MG_L_FEU = "mg_l_feu", "mg/L FEU"
    G_DL = "g_dl", "g/dL"
    UMOL_L = "umol_l", "µmol/L"
    IU_ML = "iu_ml", "IU/mL"


class BleedingSite(CodeList):
    INTRACRANIAL = "intracranial", "Intracranial"
    INTRASPINAL = "intraspinal", "Intraspinal"
    GASTROINTESTINAL = "gastrointestinal", "Gastrointestinal"
    GENITOURINARY = "genitourinary", "Genitourinary"
    PULMONARY = "pulmonary", "Pulmonary"
    RETROPERITONEAL = "retroperitoneal", "Retroperitoneal"
    MUCOCUTANEOUS = "mucocutaneous", "Mucocutaneous"
    INJECTION_SITE = "injection_site", "Injection site"
    PROCEDURAL = "procedural", "Procedural"
    MENSTRUAL = "menstrual", "Menstrual"
    OTHER = "other", "Other"


class IsthCategory(CodeList):
    MAJOR = "major", "Major"
    CLINICALLY_RELEVANT_NON_MAJOR = "clinically_relevant_non_major", "Clinically relevant non-major"
    PATIENT_IMPORTANT_NO_INTERVENTION = (
        "patient_important_no_intervention",
        "Patient-important, no intervention",
    )
    MINOR = "minor", "Minor"


class ThrombusResponse(CodeList):
    COMPLETE_RESOLUTION = "complete_resolution", "Complete resolution"
    PARTIAL_RESOLUTION = "partial_resolution", "Partial resolution"
    NO_CHANGE = "no_change", "No change"
    PROGRESSION = "progression", "Progression"
    NOT_IMAGED = "not_imaged", "Not imaged"


class PtsInstrument(CodeList):
    MODIFIED_VILLALTA = "modified_villalta", "Modified Villalta"
    MANCO_JOHNSON = "manco_johnson", "Manco-Johnson instrument"
    CAPTSURE = "captsure", "CAPTSURE"


class TipPosition(CodeList):
    SVC = "svc", "Superior vena cava"
    CAVOATRIAL_JUNCTION = "cavoatrial_junction", "Cavoatrial junction"
    RIGHT_ATRIUM = "right_atrium", "Right atrium"
    IVC = "ivc", "Inferior vena cava"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class EventSide(CodeList):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    MIDLINE = "midline", "Midline"


class InterventionType(CodeList):
    SYSTEMIC_THROMBOLYSIS = "systemic_thrombolysis", "Systemic thrombolysis"
    CATHETER_DIRECTED_THROMBOLYSIS = (
        "catheter_directed_thrombolysis",
        "Catheter-directed thrombolysis",
    )
    MECHANICAL_THROMBECTOMY = "mechanical_thrombectomy", "Mechanical thrombectomy"
    SURGICAL_THROMBECTOMY = "surgical_thrombectomy", "Surgical thrombectomy"
    IVC_FILTER = "ivc_filter", "Inferior vena cava filter"
    VENOUS_STENT = "venous_stent", "Venous stent"
    OTHER = "other", "Other"


class Thrombolytic(CodeList):
    ALTEPLASE = "alteplase", "Alteplase (tPA)"
    UROKINASE = "urokinase", "Urokinase"
    TENECTEPLASE = "tenecteplase", "Tenecteplase"
    RETEPLASE = "reteplase", "Reteplase"


class LysisResult(CodeList):
    COMPLETE_LYSIS = "complete_lysis", "Complete lysis"
    PARTIAL_LYSIS = "partial_lysis", "Partial lysis"
    NO_LYSIS = "no_lysis", "No lysis"
    NOT_ASSESSED = "not_assessed", "Not assessed"
