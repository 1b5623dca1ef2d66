"""thrombophilia_tests: inherited and acquired thrombophilia results (prefix T)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from registry.models.base import RegistryRecord, StoredRecord, Violation
from registry.models.codes import ResultCategory as R
from registry.models.codes import ResultUnit as U
from registry.models.codes import ThrombophiliaTest as T
from registry.models.fields import CODE, Date, Flag, Present, field, own_id, patient_ref

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

    def row_rules(self) -> Iterator[Violation]:
        if self.result_category not in RESULT_CATEGORIES[self.test]:
            allowed = ", ".join(sorted(c.value for c in RESULT_CATEGORIES[self.test]))
            yield Violation(
                "genotype-result-mismatch",
                "result_category",
                f"{self.result_category.value} is not a result of {self.test.value} "
                f"(allowed: {allowed})",
            )
        if self.result_unit is not None and self.result_unit not in RESULT_UNITS[self.test]:
            allowed = ", ".join(sorted(u.value for u in RESULT_UNITS[self.test])) or "none"
            yield Violation(
                "unit-mismatch",
                "result_unit",
                f"{self.test.value} is not reported in {self.result_unit.value} "
                f"(allowed: {allowed})",
            )

    @classmethod
    def row_rules_hold(cls, columns: Mapping[str, Any]) -> Any:
        """``row_rules`` over whole columns: a result category and a unit of the test."""
        import pyarrow as pa
        import pyarrow.compute as pc

        def allowed(table: Mapping[T, frozenset[Any]], column: str) -> Any:
            pairs = [f"{t.value}|{v.value}" for t, values in table.items() for v in values]
            joined = pc.binary_join_element_wise(columns["test"], columns[column], "|")
            return pc.fill_null(pc.is_in(joined, value_set=pa.array(pairs, pa.string())), False)

        unit_ok = pc.or_(pc.is_null(columns["result_unit"]), allowed(RESULT_UNITS, "result_unit"))
        return pc.and_(allowed(RESULT_CATEGORIES, "result_category"), unit_ok)


class ThrombophiliaTestResult(StoredRecord, ThrombophiliaTestRecord, table=True):
    """The ``thrombophilia_tests`` table (persistence only)."""

    __tablename__ = "thrombophilia_tests"
