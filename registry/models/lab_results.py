"""lab_results: coagulation and blood-count results (prefix L)."""

from __future__ import annotations

from typing import NamedTuple

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import LabTest as T
from registry.models.codes import LabUnit as U
from registry.models.fields import CODE, Date, field, own_id, patient_ref, ref
from registry.models.row_checks import Allowed, WithinRange

__all__ = ["LAB_TESTS", "LabRange", "LabResult", "LabResultRecord"]


class LabRange(NamedTuple):
    unit: U
    low: float
    high: float


#: The unit fixed per test and the range outside which a value is an error (spec).
LAB_TESTS: dict[T, LabRange] = {
    T.PLATELETS: LabRange(U.PLATELETS_10E9_L, 0, 2000),
    T.ANTI_XA: LabRange(U.U_ML, 0, 3),
    T.INR: LabRange(U.RATIO, 0.5, 15),
    T.APTT: LabRange(U.S, 10, 250),
    T.FIBRINOGEN: LabRange(U.G_L, 0.1, 10),
    T.ANTITHROMBIN: LabRange(U.PERCENT, 5, 200),
    T.D_DIMER: LabRange(U.MG_L_FEU, 0, 100),
    T.HEMOGLOBIN: LabRange(U.G_DL, 2, 25),
    T.CREATININE: LabRange(U.UMOL_L, 5, 2000),
    # serum asparaginase activity: exposure and silent inactivation (spec 1.1)
    T.ASPARAGINASE_ACTIVITY: LabRange(U.IU_ML, 0, 10),
}


class LabResultRecord(RegistryRecord):
    """A laboratory result as submitted; validates on construction."""

    table_name = "lab_results"
    id_prefix = "L"
    id_field = "lab_id"
    row_rule_ids = ("id-format", "unit-mismatch", "out-of-range")

    lab_id: str = own_id("Lab record ID: <patient_id>-L<n>.")
    patient_id: str = patient_ref()
    date: Date = field("Sample date.", not_before_diagnosis_days=30, record_date=True)
    test: T = field("Laboratory test.", sa_type=CODE)
    value: float = field(
        "Result, in the unit fixed for the test: "
        + "; ".join(f"{t.value} {r.low:g}-{r.high:g} {r.unit.value}" for t, r in LAB_TESTS.items())
        + "."
    )
    unit: U = field("Unit; fixed per test.", sa_type=CODE)
    course_id: str | None = ref(
        "anticoagulation_courses.course_id",
        "Course this sample monitors (-> anticoagulation_courses of the same patient).",
        required=False,
    )

    row_checks = (
        Allowed(
            "test",
            "unit",
            {test: frozenset({fixed.unit}) for test, fixed in LAB_TESTS.items()},
            "unit-mismatch",
            "{key} is reported in {allowed}, not {value}",
        ),
        WithinRange(
            "test",
            "value",
            LAB_TESTS,
            "out-of-range",
            "{key} {value:g} is outside {low:g}-{high:g} {unit}",
        ),
    )


class LabResult(StoredRecord, LabResultRecord, table=True):
    """The ``lab_results`` table (persistence only)."""

    __tablename__ = "lab_results"
