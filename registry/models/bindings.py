"""Standard codes for the registry's code lists: one place for every binding.

Each project code that has a standard counterpart carries it here, with the public source
where the binding was checked (the search tool over public pages and code, 2026-11-30). A
binding that could not be checked is left out and listed in ``UNVERIFIED`` with the reason,
never guessed; a code with no counterpart ("other", "unknown") is in ``NO_COUNTERPART``.
The dictionaries, JSON Schemas, Frictionless package, REDCap dictionary and the FHIR export
read bindings from here (``bindings_of``). Forms are tested: SNOMED CT Verhoeff check digit,
LOINC mod-10, ICD-10-CM pattern, UCUM grammar (``code_forms``, tests/models/test_bindings.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from registry.models.codes import (
    AnticoagulantAgent,
    AsparaginaseProduct,
    AsparaginaseUnit,
    BleedingSite,
    CatheterType,
    CodeList,
    DoseUnit,
    Immunophenotype,
    InterventionType,
    LabTest,
    LabUnit,
    ResultUnit,
    Thrombolytic,
    ThrombophiliaTest,
    VteSite,
)

__all__ = [
    "ANTI_XA_BY_AGENT",
    "BINDINGS",
    "BOUND",
    "BY_UNIT",
    "COLUMNS",
    "NO_COUNTERPART",
    "PROJECT_SYSTEM",
    "UNVERIFIED",
    "Binding",
    "System",
    "bindings_of",
]

#: The code system of the project's own codes (second coding in FHIR).
PROJECT_SYSTEM = "https://all-vte-registry.org/fhir/CodeSystem"


class System(StrEnum):
    """Code systems by their FHIR canonical URIs (hl7.org/fhir/terminologies-systems)."""

    SNOMED = "http://snomed.info/sct"
    ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
    RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
    ATC = "http://www.whocc.no/atc"
    LOINC = "http://loinc.org"
    UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Binding:
    system: System
    code: str
    display: str
    source: str

    @property
    def column(self) -> str:
        """The dictionary column of the system (snomed_ct, icd10_cm, ...)."""
        return COLUMNS[self.system]


COLUMNS: dict[System, str] = {
    System.SNOMED: "snomed_ct",
    System.ICD10CM: "icd10_cm",
    System.RXNORM: "rxnorm",
    System.ATC: "atc",
    System.LOINC: "loinc",
    System.UCUM: "ucum",
}

#: Which systems each code list is bound to.
BOUND: dict[type[CodeList], tuple[System, ...]] = {
    Immunophenotype: (System.SNOMED, System.ICD10CM),
    VteSite: (System.SNOMED, System.ICD10CM),
    BleedingSite: (System.SNOMED,),
    CatheterType: (System.SNOMED,),
    InterventionType: (System.SNOMED,),
    AnticoagulantAgent: (System.RXNORM, System.ATC),
    Thrombolytic: (System.RXNORM, System.ATC),
    AsparaginaseProduct: (System.RXNORM, System.ATC),
    LabTest: (System.LOINC,),
    ThrombophiliaTest: (System.LOINC,),
    LabUnit: (System.UCUM,),
    ResultUnit: (System.UCUM,),
    DoseUnit: (System.UCUM,),
    AsparaginaseUnit: (System.UCUM,),
}

# Where bindings were checked. "Public code" = the search tool's exact-string search over
# public repositories: the code found paired with this concept's name, in files that agree
# (value sets, FHIR shorthand, lab/drug tables); a code found with conflicting names is left out.
CODE = "search tool, public code 2026-11-30: "
TERMS = "shared/spec/terminology.md and " + CODE
UNICOM = (
    "https://build.fhir.org/ig/hl7-eu/unicom-ig/Bundle-010-Clexane-60mg-06ml-EE-FullProduct.html"
)
#: WHOCC, ATC/DDD index, L01XX (atcddd.fhi.no, last updated 2024-01-26): "All asparaginases
#: regardless of origins are classified in L01XX02" (pegaspargase's former L01XX24 included).
WHOCC_ASPARAGINASE = (
    "WHOCC ATC/DDD index, L01XX guideline: all asparaginases regardless of origins in L01XX02"
)
UCUM_SPEC = "UCUM c/s (unitsofmeasure.org); parses with ucumvert (tests)"
_S, _I, _R, _A, _L, _U = (
    System.SNOMED,
    System.ICD10CM,
    System.RXNORM,
    System.ATC,
    System.LOINC,
    System.UCUM,
)


def _b(system: System, code: str, display: str, source: str) -> Binding:
    return Binding(system, code, display, source)


V, A, L, T, U, R, D, P = (
    VteSite,
    AnticoagulantAgent,
    LabTest,
    ThrombophiliaTest,
    LabUnit,
    ResultUnit,
    DoseUnit,
    AsparaginaseUnit,
)

# The leukemia: B- and T-ALL are both ALL (the immunophenotype is the project's detail).
_ALL = (
    _b(
        _S,
        "91857003",
        "Acute lymphoid leukemia, disease",
        TERMS + "91857003 'Acute lymphoid leukemia'",
    ),
    _b(
        _I,
        "C91.00",
        "Acute lymphoblastic leukemia not having achieved remission",
        TERMS + "C91.00 paired with 91857003 / acute lymphoblastic leukemia",
    ),
)
# Upper-extremity DVT, catheter-related or not (the relation is the project's field).
_UPPER_DVT = (
    _b(
        _S,
        "128054009",
        "Deep venous thrombosis of upper extremity",
        CODE + "value-set JSON '128054009 Deep venous thrombosis of upper extremity (disorder)'",
    ),
    _b(
        _I,
        "I82.62",
        "Acute embolism and thrombosis of deep veins of upper extremity",
        CODE + "I82.62 'Acute embolism and thrombosis of deep veins of upper extremity'",
    ),
)

BINDINGS: dict[CodeList, tuple[Binding, ...]] = {
    # --- the leukemia (immunophenotype: ALL is the diagnosis; subtypes unbound) -----------
    Immunophenotype.B_CELL: _ALL,
    Immunophenotype.T_CELL: _ALL,
    # --- VTE sites ----------------------------------------------------------------------
    V.CVC_UPPER_DVT: _UPPER_DVT,
    V.NON_CVC_UPPER_DVT: _UPPER_DVT,
    V.LOWER_EXTREMITY_DVT: (
        _b(
            _S,
            "404223003",
            "Deep venous thrombosis of lower extremity",
            CODE
            + "FHIR shorthand, value sets: 404223003 'Deep venous thrombosis of lower extremity'",
        ),
        _b(
            _I,
            "I82.40",
            "Acute embolism and thrombosis of unspecified deep veins of lower extremity",
            CODE + "I82.40 listed for DVT of the lower extremity",
        ),
    ),
    V.PULMONARY_EMBOLISM: (
        _b(
            _S, "59282003", "Pulmonary embolism", TERMS + "'59282003 Pulmonary embolism (disorder)'"
        ),
        _b(
            _I,
            "I26.99",
            "Other pulmonary embolism without acute cor pulmonale",
            TERMS + "I26.99 paired with 59282003 'Pulmonary embolism'",
        ),
    ),
    V.CEREBRAL_SINOVENOUS: (
        _b(
            _S,
            "192759008",
            "Cerebral venous sinus thrombosis",
            TERMS + "value-set JSON '192759008 Cerebral venous sinus thrombosis (disorder)'",
        ),
        _b(
            _I,
            "I67.6",
            "Nonpyogenic thrombosis of intracranial venous system",
            TERMS + "I67.6 'Nonpyogenic thrombosis of intracranial venous system'",
        ),
    ),
    V.RENAL_VEIN: (
        _b(
            _I,
            "I82.3",
            "Embolism and thrombosis of renal vein",
            CODE + "I82.3 'Embolism and thrombosis of renal vein' (OMOP concept JSON, code lists)",
        ),
    ),
    V.ARTERIAL: (
        _b(
            _I,
            "I74.9",
            "Embolism and thrombosis of unspecified artery",
            CODE + "I74.9 'Embolism and thrombosis of unspecified artery' in code lists",
        ),
    ),
    # --- bleeding sites ------------------------------------------------------------------
    BleedingSite.INTRACRANIAL: (
        _b(
            _S,
            "1386000",
            "Intracranial hemorrhage",
            CODE + "value-set JSON and FHIR tests '1386000 Intracranial hemorrhage (disorder)'",
        ),
    ),
    BleedingSite.GASTROINTESTINAL: (
        _b(
            _S,
            "74474003",
            "Gastrointestinal hemorrhage",
            CODE + "'74474003 Gastrointestinal hemorrhage (disorder)' in concept maps and value "
            "sets (one table says upper GI hemorrhage)",
        ),
    ),
    # --- catheter types (devices) --------------------------------------------------------
    CatheterType.PICC: (
        _b(
            _S,
            "398176008",
            "Peripherally inserted central catheter",
            CODE + "a vascular-access device mapping table '398176008 | Peripherally inserted "
            "central catheter (physical object) |'",
        ),
    ),
    CatheterType.IMPLANTED_PORT: (
        _b(
            _S,
            "398013009",
            "Implantable venous access port",
            CODE + "value-set JSON and a concept map '398013009 Implantable venous access port "
            "(physical object)'",
        ),
    ),
    # --- anticoagulants (RxNorm ingredient, ATC) -------------------------------------------
    A.ENOXAPARIN: (
        _b(_R, "67108", "enoxaparin", TERMS + "rxcui 67108 enoxaparin in several drug tables"),
        _b(_A, "B01AB05", "enoxaparin", UNICOM),
    ),
    A.DALTEPARIN: (
        _b(
            _R,
            "67109",
            "dalteparin",
            TERMS + "rxcui 67109 dalteparin in an RxNav-derived drug list and a drug table "
            "(one other table says 27340)",
        ),
        _b(
            _A,
            "B01AB04",
            "dalteparin",
            CODE + "ATC B01AB04 Dalteparin (FHIR shorthand, drug tables)",
        ),
    ),
    A.TINZAPARIN: (_b(_A, "B01AB10", "tinzaparin", CODE + "ATC B01AB10 Tinzaparin"),),
    A.UNFRACTIONATED_HEPARIN: (
        _b(_A, "B01AB01", "heparin", CODE + "ATC B01AB01 Heparin / UFH in drug tables"),
        _b(_R, "5224", "heparin", TERMS + "rxcui 5224 heparin in several drug tables"),
    ),
    A.WARFARIN: (
        _b(_R, "11289", "warfarin", TERMS + "rxcui 11289 warfarin"),
        _b(_A, "B01AA03", "warfarin", CODE + "ATC B01AA03 in anticoagulant lists"),
    ),
    A.RIVAROXABAN: (
        _b(_R, "1114195", "rivaroxaban", TERMS + "rxcui 1114195 rivaroxaban"),
        _b(_A, "B01AF01", "rivaroxaban", CODE + "ATC B01AF01 'Riva' in DOAC lists"),
    ),
    A.APIXABAN: (
        _b(_R, "1364430", "apixaban", TERMS + "rxcui 1364430 apixaban"),
        _b(_A, "B01AF02", "apixaban", CODE + "ATC B01AF02 apixaban"),
    ),
    A.DABIGATRAN: (
        _b(
            _R,
            "1037042",
            "dabigatran etexilate",
            TERMS + "rxcui 1037042 dabigatran etexilate "
            "in an RxNav-derived list and five drug tables (one table says 1037045)",
        ),
        _b(_A, "B01AE07", "dabigatran etexilate", CODE + "ATC B01AE07 dabigatran"),
    ),
    A.EDOXABAN: (
        _b(_R, "1599538", "edoxaban", TERMS + "rxcui 1599538 edoxaban"),
        _b(_A, "B01AF03", "edoxaban", CODE + "ATC B01AF03 in DOAC lists"),
    ),
    A.FONDAPARINUX: (
        _b(_R, "321208", "fondaparinux", TERMS + "rxcui 321208 fondaparinux (with ATC B01AX05)"),
        _b(
            _A,
            "B01AX05",
            "fondaparinux",
            CODE + "ATC B01AX05 'Fondaparinux (substance)' (FHIR shorthand)",
        ),
    ),
    A.ARGATROBAN: (
        _b(_R, "15202", "argatroban", TERMS + "rxcui 15202 argatroban in two drug lists"),
        _b(_A, "B01AE03", "argatroban", CODE + "ATC B01AE03 Argatroban"),
    ),
    A.BIVALIRUDIN: (
        _b(_R, "60819", "bivalirudin", TERMS + "rxcui 60819 bivalirudin in two drug lists"),
        _b(_A, "B01AE06", "bivalirudin", CODE + "ATC B01AE06 Bivalirudin"),
    ),
    A.ANTITHROMBIN_CONCENTRATE: (
        _b(_A, "B01AB02", "antithrombin III", CODE + "ATC B01AB02 antithrombin III"),
    ),
    # --- thrombolytics ---------------------------------------------------------------------
    Thrombolytic.ALTEPLASE: (_b(_A, "B01AD02", "alteplase", CODE + "ATC B01AD02 Alteplase"),),
    Thrombolytic.UROKINASE: (
        _b(_A, "B01AD04", "urokinase", CODE + "ATC B01AD04 urokinase (FHIR shorthand)"),
    ),
    Thrombolytic.TENECTEPLASE: (
        _b(_A, "B01AD11", "tenecteplase", CODE + "ATC B01AD11 tenecteplase"),
    ),
    Thrombolytic.RETEPLASE: (_b(_A, "B01AD07", "reteplase", CODE + "ATC B01AD07 reteplase"),),
    # --- asparaginase ----------------------------------------------------------------------
    **{
        product: (_b(_A, "L01XX02", "asparaginase", WHOCC_ASPARAGINASE),)
        for product in AsparaginaseProduct
    },
    # --- laboratory tests (LOINC, in the unit the registry fixes for each test) ----------------
    L.PLATELETS: (
        _b(
            _L,
            "777-3",
            "Platelets [#/volume] in Blood by Automated count",
            CODE + "777-3 'Platelets [#/volume] in Blood by Automated count'",
        ),
    ),
    L.INR: (
        _b(
            _L,
            "6301-6",
            "INR in Platelet poor plasma by Coagulation assay",
            CODE + "6301-6 'INR in Platelet poor plasma by Coagulation assay'",
        ),
    ),
    L.APTT: (
        _b(
            _L,
            "14979-9",
            "aPTT in Platelet poor plasma by Coagulation assay",
            CODE + "14979-9 'aPTT in Platelet poor plasma by Coagulation assay'",
        ),
    ),
    L.FIBRINOGEN: (
        _b(
            _L,
            "3255-7",
            "Fibrinogen [Mass/volume] in Platelet poor plasma by Coagulation assay",
            CODE + "3255-7 Fibrinogen (HL7 v2 OBX, lab tables)",
        ),
    ),
    L.D_DIMER: (
        _b(
            _L,
            "48065-7",
            "Fibrin D-dimer FEU [Mass/volume] in Platelet poor plasma",
            CODE + "48065-7 'D-dimer FEU [Mass/volume] in Platelet poor plasma'",
        ),
    ),
    L.CREATININE: (
        _b(
            _L,
            "14682-9",
            "Creatinine [Moles/volume] in Serum or Plasma",
            CODE + "14682-9 'Creatinine [Moles/volume] in Serum or Plasma' (FHIR shorthand)",
        ),
    ),
    L.ANTITHROMBIN: (
        _b(
            _L,
            "27811-9",
            "Antithrombin actual/normal in Platelet poor plasma by Chromogenic method",
            CODE + "27811-9 'Antithrombin actual/normal in Platelet poor plasma by Chromogenic "
            "method' (a LOINC enum; two loose tables misname it)",
        ),
    ),
    T.ANTITHROMBIN_ACTIVITY: (
        _b(
            _L,
            "27811-9",
            "Antithrombin actual/normal in Platelet poor plasma by Chromogenic method",
            CODE + "27811-9 'Antithrombin actual/normal in Platelet poor plasma by Chromogenic "
            "method'",
        ),
    ),
    T.PROTEIN_C_ACTIVITY: (
        _b(
            _L,
            "27818-4",
            "Protein C actual/normal in Platelet poor plasma by Chromogenic method",
            CODE + "27818-4 in a lab-item mapping table (a clotting assay is 27819-2: the registry "
            "does not record the method)",
        ),
    ),
    T.PROTEIN_S_FREE_ANTIGEN: (
        _b(
            _L,
            "27821-8",
            "Protein S Free Ag actual/normal in Platelet poor plasma by Immunoassay",
            CODE + "27821-8 in FHIR shorthand and a LOINC mapping table",
        ),
    ),
    T.ANTICARDIOLIPIN_IGG: (
        _b(
            _L,
            "3181-5",
            "Cardiolipin IgG Ab [Units/volume] in Serum by Immunoassay",
            CODE + "3181-5 in a LOINC mapping table (unit [GPL'U]) and a value set",
        ),
    ),
    T.ANTI_BETA2_GLYCOPROTEIN_IGG: (
        _b(
            _L,
            "44448-9",
            "Beta 2 glycoprotein 1 IgG Ab [Units/volume] in Serum or Plasma by Immunoassay",
            CODE + "44448-9 in a LOINC mapping table and a FHIR ConceptMap",
        ),
    ),
    T.PROTHROMBIN_G20210A: (
        _b(
            _L,
            "24475-6",
            "F2 gene p.G20210A [Presence] in Blood or Tissue by Molecular genetics method",
            CODE + "value-set JSON '24475-6 F2 gene p.G20210A [Presence] in Blood or Tissue'",
        ),
    ),
    T.FACTOR_V_LEIDEN: (
        _b(
            _L,
            "21668-9",
            "Factor V Leiden mutation analysis",
            CODE + "21668-9 'Factor V Leiden mutation analysis' (one lab table)",
        ),
    ),
    T.LIPOPROTEIN_A: (
        _b(
            _L,
            "10835-7",
            "Lipoprotein a [Mass/volume] in Serum or Plasma",
            CODE + "10835-7 'Lipoprotein a [Mass/volume] in Serum or Plasma' (a result in nmol/L: "
            "BY_UNIT)",
        ),
    ),
    L.HEMOGLOBIN: (
        _b(
            _L,
            "718-7",
            "Hemoglobin [Mass/volume] in Blood",
            CODE + "718-7 hemoglobin in lab tables",
        ),
    ),
    # --- units (UCUM) ----------------------------------------------------------------------
    U.PLATELETS_10E9_L: (_b(_U, "10*9/L", "10^9 per liter", UCUM_SPEC),),
    # anti-Xa and heparin "units" are international units: UCUM [iU], not U (the enzyme unit)
    U.U_ML: (_b(_U, "[iU]/mL", "international unit per milliliter", UCUM_SPEC),),
    U.RATIO: (_b(_U, "{ratio}", "ratio", UCUM_SPEC),),
    U.S: (_b(_U, "s", "second", UCUM_SPEC),),
    U.G_L: (_b(_U, "g/L", "gram per liter", UCUM_SPEC),),
    U.PERCENT: (_b(_U, "%", "percent", UCUM_SPEC),),
    U.MG_L_FEU: (_b(_U, "mg/L{FEU}", "milligram per liter FEU", UCUM_SPEC),),
    U.G_DL: (_b(_U, "g/dL", "gram per deciliter", UCUM_SPEC),),
    U.UMOL_L: (_b(_U, "umol/L", "micromole per liter", UCUM_SPEC),),
    # asparaginase activity: 1 IU liberates 1 umol ammonia per minute, UCUM's enzyme unit U
    U.IU_ML: (_b(_U, "U/mL", "enzyme unit per milliliter", UCUM_SPEC),),
    R.PERCENT: (_b(_U, "%", "percent", UCUM_SPEC),),
    R.MG_DL: (_b(_U, "mg/dL", "milligram per deciliter", UCUM_SPEC),),
    R.NMOL_L: (_b(_U, "nmol/L", "nanomole per liter", UCUM_SPEC),),
    R.U_ML: (_b(_U, "[iU]/mL", "international unit per milliliter", UCUM_SPEC),),
    R.GPL: (_b(_U, "[GPL'U]", "IgG anticardiolipin unit", UCUM_SPEC),),
    R.RATIO: (_b(_U, "{ratio}", "ratio", UCUM_SPEC),),
    D.MG_PER_KG: (_b(_U, "mg/kg", "milligram per kilogram", UCUM_SPEC),),
    D.UNITS_PER_KG: (_b(_U, "[iU]/kg", "international unit per kilogram", UCUM_SPEC),),
    D.UNITS_PER_KG_PER_HOUR: (
        _b(_U, "[iU]/kg/h", "international unit per kilogram per hour", UCUM_SPEC),
    ),
    D.MG: (_b(_U, "mg", "milligram", UCUM_SPEC),),
    D.IU_PER_KG: (_b(_U, "[iU]/kg", "international unit per kilogram", UCUM_SPEC),),
    D.MCG_PER_KG_PER_MIN: (_b(_U, "ug/kg/min", "microgram per kilogram per minute", UCUM_SPEC),),
    D.MG_PER_KG_PER_HOUR: (_b(_U, "mg/kg/h", "milligram per kilogram per hour", UCUM_SPEC),),
    P.IU_PER_M2: (_b(_U, "U/m2", "enzyme unit per square meter", UCUM_SPEC),),
    P.MG_PER_M2: (_b(_U, "mg/m2", "milligram per square meter", UCUM_SPEC),),
}

#: Codes with no standard counterpart (catch-alls): nothing to bind.
NO_COUNTERPART: frozenset[CodeList] = frozenset(
    {
        Immunophenotype.UNKNOWN,
        V.OTHER,
        BleedingSite.OTHER,
        InterventionType.OTHER,
    }
)

_NOT_FOUND = "searched (public pages and code): no source pairs a code with this concept"
_NOT_CHECKED = "not checked in this release (no public source consulted yet): map by the label"
_ONE_SOURCE = "found in one source only, not confirmed: "

#: (code, system) -> why the binding is left empty.
UNVERIFIED: dict[tuple[CodeList, System], str] = {
    (Immunophenotype.MIXED_PHENOTYPE, _S): "mixed phenotype acute leukemia is not ALL; "
    + _NOT_CHECKED,
    (Immunophenotype.MIXED_PHENOTYPE, _I): "mixed phenotype acute leukemia is not ALL; "
    + _NOT_CHECKED,
    (V.RIGHT_ATRIAL, _S): _NOT_CHECKED,
    (V.RIGHT_ATRIAL, _I): _NOT_CHECKED,
    (V.SPLANCHNIC, _S): "searched: 'Portal vein thrombosis' (17920008) is narrower than "
    "splanchnic vein thrombosis; no broader concept found",
    (V.SPLANCHNIC, _I): "splanchnic veins span several ICD-10-CM codes (portal vein, hepatic "
    "veins, other veins): no single code; " + _NOT_CHECKED,
    (V.RENAL_VEIN, _S): "searched: only 'Transplant renal vein thrombosis' (234046009) was found",
    (V.ARTERIAL, _S): _ONE_SOURCE + "65198009 'Arterial thrombosis (disorder)' in one "
    "project's files",
    (A.TINZAPARIN, _R): _ONE_SOURCE + "69646 in an RxNav-derived drug list",
    (A.ANTITHROMBIN_CONCENTRATE, _R): _ONE_SOURCE + "1009 (antithrombin III) in an RxNav-derived "
    "drug list",
    (AsparaginaseProduct.PEGASPARGASE, _R): "searched 'pegaspargase': " + _NOT_FOUND + " (rxcui)",
    (AsparaginaseProduct.CALASPARGASE_PEGOL, _R): _NOT_CHECKED,
    (AsparaginaseProduct.ERWINIA_RECOMBINANT, _R): _NOT_CHECKED,
    (AsparaginaseProduct.ERWINIA_NATIVE, _R): _NOT_CHECKED,
    (AsparaginaseProduct.NATIVE_E_COLI, _R): _NOT_CHECKED,
    (Thrombolytic.ALTEPLASE, _R): "searched the code 8410: no source paired it with alteplase",
    (Thrombolytic.UROKINASE, _R): _NOT_CHECKED,
    (Thrombolytic.TENECTEPLASE, _R): _NOT_CHECKED,
    (Thrombolytic.RETEPLASE, _R): _NOT_CHECKED,
    (L.ANTI_XA, _L): "anti-Xa is calibrated per agent: one LOINC code per calibration, not per "
    "test; the FHIR export codes it by the monitored course's agent (ANTI_XA_BY_AGENT)",
    (L.ASPARAGINASE_ACTIVITY, _L): _NOT_CHECKED,
    (T.LUPUS_ANTICOAGULANT, _L): "searched 'Lupus anticoagulant': "
    + _NOT_FOUND
    + " (screening and confirm tests have separate codes)",
    (BleedingSite.INTRASPINAL, _S): _NOT_CHECKED,
    (BleedingSite.GENITOURINARY, _S): "searched: only 'Hematuria syndrome' (53298000), narrower "
    "than genitourinary bleeding",
    (BleedingSite.PULMONARY, _S): "searched 'Pulmonary hemorrhage (disorder)': " + _NOT_FOUND,
    (BleedingSite.RETROPERITONEAL, _S): "searched 'Retroperitoneal hemorrhage (disorder)': "
    + _NOT_FOUND,
    (BleedingSite.MUCOCUTANEOUS, _S): _NOT_CHECKED,
    (BleedingSite.INJECTION_SITE, _S): _NOT_CHECKED,
    (BleedingSite.PROCEDURAL, _S): _NOT_CHECKED,
    (BleedingSite.MENSTRUAL, _S): _NOT_CHECKED,
    (CatheterType.TUNNELED_CVC, _S): "public sources disagree: 445085009 (a device mapping "
    "table) and 706689003 (a code file)",
    (CatheterType.NON_TUNNELED_CVC, _S): _ONE_SOURCE + "706687001 in a code file",
    **{(i, _S): _NOT_CHECKED for i in InterventionType if i is not InterventionType.OTHER},
}


#: Anti-Xa activity by the calibration its course's agent calls for (lab_results.course_id):
#: a heparin assay calibrated for unfractionated heparin, or for low-molecular-weight heparin.
#: Other anti-Xa-monitored agents (fondaparinux, the xabans) have drug-specific calibrations
#: not checked here: the project code only. Displays: LOINC's long names, as the labs' catalogues
#: and LOINC's naming of heparin terms give them (not read from loinc.org itself).
_UFH_ANTI_XA = _b(
    _L,
    "3274-8",
    "Heparin unfractionated [Units/volume] in Platelet poor plasma by Chromogenic method",
    "ARUP Laboratories test 0030143 'Heparin Anti-Xa, Unfractionated' (chromogenic): LOINC "
    "3274-8; Machaon Diagnostics 'Heparin Level (UFH)' (chromogenic): LOINC 3274-8",
)
_LMWH_ANTI_XA = _b(
    _L,
    "32684-3",
    "Heparin.LMW [Units/volume] in Platelet poor plasma by Chromogenic method",
    "Cleveland Clinic Laboratories 'LMW Anti Xa Assay' (chromogenic): LOINC 32684-3 (ARUP "
    "reports its LMWH assay under the heparin code 3274-8)",
)
ANTI_XA_BY_AGENT: dict[AnticoagulantAgent, Binding] = {
    A.UNFRACTIONATED_HEPARIN: _UFH_ANTI_XA,
    A.ENOXAPARIN: _LMWH_ANTI_XA,
    A.DALTEPARIN: _LMWH_ANTI_XA,
    A.TINZAPARIN: _LMWH_ANTI_XA,
}

#: A test whose LOINC code depends on the unit of its result: lipoprotein(a) by moles is a
#: different measurement from Lp(a) by mass (10835-7, in BINDINGS).
BY_UNIT: dict[tuple[CodeList, CodeList], Binding] = {
    (T.LIPOPROTEIN_A, R.NMOL_L): _b(
        _L,
        "43583-4",
        "Lipoprotein a [Moles/volume] in Serum or Plasma",
        CODE + "43583-4 'Lipoprotein a [Moles/volume] in Serum or Plasma' with unit nmol/L "
        "(a lab panel table; a unit-to-code test table: 10835-7 mg/dL, 43583-4 nmol/L)",
    ),
}


def bindings_of(code: CodeList) -> tuple[Binding, ...]:
    """The standard codes of a project code (empty when it has none or none was checked)."""
    return BINDINGS.get(code, ())
