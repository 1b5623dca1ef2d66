"""thrombophilia_tests: inherited and acquired thrombophilia results (prefix T)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import ResultCategory as R
from registry.models.codes import ResultUnit as U
from registry.models.codes import ThrombophiliaTest as T
from registry.models.fields import CODE, Date, Flag, Present, field, own_id, patient_ref
from registry.models.row_checks import Allowed

__all__ = [
    "RESULT_CATEGORIES",
    "RESULT_UNITS",
    "ThrombophiliaTestRecord",
    "ThrombophiliaTestResult",
]

_GENOTYPE = frozenset({R.NORMAL, R.HETEROZYGOUS, R.HOMOZYGOUS})
_ACTIVITY = frozenset({R.NORMAL, R.LOW, R.HIGH, R.INDETERMINATE})
_ANTIBODY = frozenset({R.POSITIVE, R.NEGATIVE, R.INDETERMINATE})

#: Result categories allowed per test (spec: genotype tests normal/heterozygous/homozygous;
#: the others are this package's choice, see the data dictionary).
RESULT_CATEGORIES: dict[T, frozenset[R]] = {
    T.FACTOR_V_LEIDEN: _GENOTYPE,
    T.PROTHROMBIN_G20210A: _GENOTYPE,
    T.PROTEIN_C_ACTIVITY: _ACTIVITY,
    T.PROTEIN_S_FREE_ANTIGEN: _ACTIVITY,
    T.ANTITHROMBIN_ACTIVITY: _ACTIVITY,
    T.LIPOPROTEIN_A: frozenset({R.NORMAL, R.HIGH, R.INDETERMINATE}),
    T.LUPUS_ANTICOAGULANT: _ANTIBODY,
    T.ANTICARDIOLIPIN_IGG: _ANTIBODY,
    T.ANTI_BETA2_GLYCOPROTEIN_IGG: _ANTIBODY,
}

#: Units allowed for a numeric result, per test; genotype tests have no numeric result.
RESULT_UNITS: dict[T, frozenset[U]] = {
    T.FACTOR_V_LEIDEN: frozenset(),
    T.PROTHROMBIN_G20210A: frozenset(),
    T.PROTEIN_C_ACTIVITY: frozenset({U.PERCENT}),
    T.PROTEIN_S_FREE_ANTIGEN: frozenset({U.PERCENT}),
    T.ANTITHROMBIN_ACTIVITY: frozenset({U.PERCENT}),
    T.LIPOPROTEIN_A: frozenset({U.MG_DL, U.NMOL_L}),
    T.LUPUS_ANTICOAGULANT: frozenset({U.RATIO}),
    T.ANTICARDIOLIPIN_IGG: frozenset({U.GPL}),
    T.ANTI_BETA2_GLYCOPROTEIN_IGG: frozenset({U.U_ML}),
}


class ThrombophiliaTestRecord(RegistryRecord):
    """A thrombophilia test result as submitted; validates on construction."""

    table_name = "thrombophilia_tests"
    id_prefix = "T"
    id_field = "test_id"
    row_rule_ids = ("id-format", "genotype-result-mismatch", "unit-mismatch")

    test_id: str = own_id("Test record ID: <patient_id>-T<n>.")
    patient_id: str = patient_ref()
    test: T = field("Thrombophilia test.", sa_type=CODE)
    sample_date: Date = field("Date the sample was taken.")
    result_category: R = field(
        "Interpreted result; the allowed set depends on the test (genotype tests: "
        "normal/heterozygous/homozygous; activity assays: normal/low/high/indeterminate; "
        "lipoprotein(a): normal/high/indeterminate; antiphospholipid tests: "
        "positive/negative/indeterminate).",
        sa_type=CODE,
    )
    result_value: float | None = field("Numeric result, in result_unit.", required=False)
    result_unit: U | None = field(
        "Unit of result_value (percent for activity assays, mg_dl or nmol_l for "
        "lipoprotein(a), ratio for lupus anticoagulant, gpl for anticardiolipin, u_ml for "
        "anti-beta2-glycoprotein I).",
        iff=Present("result_value"),
        sa_type=CODE,
    )
    on_anticoagulation: Flag = field(
        "Sample taken on anticoagulation (affects interpretation of functional assays)."
    )

    row_checks = (
        Allowed(
            "test",
            "result_category",
            RESULT_CATEGORIES,
            "genotype-result-mismatch",
            "{value} is not a result of {key} (allowed: {allowed})",
        ),
        Allowed(
            "test",
            "result_unit",
            RESULT_UNITS,
            "unit-mismatch",
            "{key} is not reported in {value} (allowed: {allowed})",
            optional=True,
        ),
    )


class ThrombophiliaTestResult(StoredRecord, ThrombophiliaTestRecord, table=True):
    """The ``thrombophilia_tests`` table (persistence only)."""

    __tablename__ = "thrombophilia_tests"
