"""growth-implausible: weight, height and BMI at ALL diagnosis against the growth references
(shared/spec/registry.md, "Plausibility rules"), with the references and their LMS
arithmetic from rcpchgrowth (maintained by the Royal College of Paediatrics and Child Health).

- Below 24 months: the WHO Child Growth Standards (WHO 2006, as rcpchgrowth carries them:
  "who"), z-scores as WHO computes them (beyond +-3 SD for weight and BMI its restricted
  method), flagged with WHO Anthro's limits, as the CDC's SAS program for the WHO growth charts
  (WHO-source-code.sas) applies them: length/height-for-age z < -6 or >= 6, weight-for-age
  z < -6 or >= 5, BMI-for-age z < -5 or > 5.
- From 24 months: the CDC 2000 growth charts ("cdc"), modified z-scores (the distance from the
  median in units of half the distance to z = +-2 on that side), flagged with the limits of the
  CDC's SAS program for the 2000 growth charts (cdc-source-code.sas, cut points revised in
  2016): height < -5 or > 4, weight < -5 or > 8, BMI < -4 or > 8.
- Down syndrome (down_syndrome true): the UK Down syndrome reference the library carries
  ("trisomy-21": Styles et al., Arch Dis Child 2002), with the same limits by age (no limits of
  their own are published); where it has no data for an age and measure (BMI from about 18.5
  years), the general reference.
- From 240 months, where the CDC charts end (growth has ended), the values at 239 months.
- Age is age_at_diagnosis_months in completed months, taken at its middle (+ 0.5 month, as the
  CDC advises for completed months); BMI = weight / height(m)^2; sex ``unknown``: not checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from registry.models.row_checks import RowCheck, Violation

__all__ = ["CDC_LIMITS", "WHO_LIMITS", "Growth", "GrowthZ", "growth_z", "value_at_z"]

#: WHO Anthro flags (WHO-source-code.sas): (low, high, whether the high limit itself counts).
WHO_LIMITS = {"height": (-6.0, 6.0, True), "weight": (-6.0, 5.0, True), "bmi": (-5.0, 5.0, False)}
#: CDC 2000, modified z (cdc-source-code.sas, 2016 cut points): outside [low, high].
CDC_LIMITS = {"height": (-5.0, 4.0, False), "weight": (-5.0, 8.0, False), "bmi": (-4.0, 8.0, False)}
#: Below this age (months) the WHO standards, from it the CDC charts.
WHO_BELOW_MONTHS = 24
#: The CDC charts end at 20 years (240 months): the last whole month they cover.
LAST_MONTH = 239

_FIELDS = {"weight": "weight_kg_at_diagnosis", "height": "height_cm_at_diagnosis"}


@dataclass(frozen=True)
class GrowthZ:
    """One measure's z-score (modified from 24 months) and whether it is implausible."""

    measure: str  # weight | height | bmi
    reference: str
    z: float
    implausible: bool
    limits: tuple[float, float]


@cache
def _lms(reference: str, measure: str, sex: str, age_months: int) -> tuple[float, float, float]:
    """The reference's L, M and S at the middle of the completed month, looked up as
    rcpchgrowth's sds_for_measurement looks them up (WHO: no interpolation between its
    monthly points); cached, as a cohort has a few hundred distinct ages."""
    from rcpchgrowth.constants import WHO
    from rcpchgrowth.global_functions import (
        _age_for_lms_lookup,
        fetch_lms,
        lms_value_array_for_measurement_for_reference,
    )

    age = (age_months + 0.5) / 12
    values = lms_value_array_for_measurement_for_reference(
        reference=reference,
        age=age,
        measurement_method=measure,
        sex=sex,
        default_youngest_reference=False,
    )
    lms_age = _age_for_lms_lookup(
        reference=reference, age=age, lms_value_array_for_measurement=values
    )
    lms = fetch_lms(
        age=lms_age, lms_value_array_for_measurement=values, interpolation_override=reference == WHO
    )
    return float(lms["l"]), float(lms["m"]), float(lms["s"])


def _who_z(reference: str, measure: str, sex: str, age_months: int, value: float) -> float:
    """WHO's z: LMS, and beyond +-3 its restricted method (distances past 3 in units of the
    3-to-2 SD step; WHO, computation of centiles and z-scores), as sds_for_measurement has it,
    from the cached LMS (its own lookup per call is ~2 ms)."""
    from rcpchgrowth.global_functions import measurement_for_z, z_score

    lam, m, s = _lms(reference, measure, sex, age_months)
    z = float(z_score(l=lam, m=m, s=s, observation=value))
    if abs(z) <= 3:
        return z
    side = 1.0 if z > 0 else -1.0
    sd3 = measurement_for_z(3 * side, lam, m, s)
    sd2 = measurement_for_z(2 * side, lam, m, s)
    return 3 * side + (value - sd3) / abs(sd3 - sd2)


def _modified_z(reference: str, measure: str, sex: str, age_months: int, value: float) -> float:
    """The CDC's modified z: (X - M) over half the distance from M to the z = +-2 value on
    X's side (cdc-source-code.sas, macro _zscore)."""
    from rcpchgrowth.global_functions import measurement_for_z

    lam, m, s = _lms(reference, measure, sex, age_months)
    side = 2.0 if value >= m else -2.0
    at_two = measurement_for_z(side, lam, m, s)
    if at_two is None:
        raise ValueError("no value at z = +-2")
    return (value - m) / (abs(at_two - m) / 2)


def _reference(age_months: int, down_syndrome: bool) -> str:
    if down_syndrome:
        return "trisomy-21"
    return "who" if age_months < WHO_BELOW_MONTHS else "cdc"


def value_at_z(
    sex: str, age_months: int, measure: str, z: float, down_syndrome: bool = False
) -> float:
    """The measurement (kg, cm or kg/m2) at z-score ``z`` of the reference this module judges
    a patient of that age by (the trisomy 21 reference, or where it has no data, the
    general one)."""
    from rcpchgrowth.global_functions import measurement_for_z

    age = min(age_months, LAST_MONTH)
    for reference in dict.fromkeys((_reference(age, down_syndrome), _reference(age, False))):
        try:
            lam, m, s = _lms(reference, measure, sex, age)
        except (LookupError, ValueError, TypeError):
            continue
        return float(measurement_for_z(z, lam, m, s))
    raise LookupError(f"no {measure} reference at {age_months} months")


def growth_z(
    sex: str, age_months: int, weight: float, height: float, down_syndrome: bool
) -> list[GrowthZ]:
    """The z-scores of weight, height and BMI, each with its verdict. Down syndrome: the
    trisomy 21 reference where it has data for the age and measure, else the general one.
    From 20 years (past the CDC charts, growth has ended) the values at 20 years."""
    if sex not in ("male", "female") or weight <= 0 or height <= 0:
        return []
    infant = age_months < WHO_BELOW_MONTHS
    age = min(age_months, LAST_MONTH)
    values = {"weight": weight, "height": height, "bmi": weight / (height / 100) ** 2}
    out = []
    for measure, value in values.items():
        for reference in dict.fromkeys((_reference(age, down_syndrome), _reference(age, False))):
            try:
                if infant:
                    z = _who_z(reference, measure, sex, age, value)
                else:
                    z = _modified_z(reference, measure, sex, age, value)
            except (LookupError, ValueError, ZeroDivisionError, TypeError):
                continue  # no data for this age and measure: the next reference
            low, high, high_counts = (WHO_LIMITS if infant else CDC_LIMITS)[measure]
            beyond = z < low or (z >= high if high_counts else z > high)
            out.append(GrowthZ(measure, reference, z, beyond, (low, high)))
            break
    return out


def _code(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass(frozen=True)
class Growth(RowCheck):
    """The rule growth-implausible as a row rule of patients (record and column forms)."""

    rule: str = "growth-implausible"

    def _problems(self, sex: Any, age: Any, weight: Any, height: Any, down: Any) -> list[GrowthZ]:
        if None in (sex, age, weight, height):
            return []
        found = growth_z(_code(sex), int(age), float(weight), float(height), bool(down))
        return [g for g in found if g.implausible]

    def violations(self, record: Any) -> Iterator[Violation]:
        for g in self._problems(
            record.sex,
            record.age_at_diagnosis_months,
            record.weight_kg_at_diagnosis,
            record.height_cm_at_diagnosis,
            record.down_syndrome,
        ):
            kind = "z" if record.age_at_diagnosis_months < WHO_BELOW_MONTHS else "modified z"
            yield Violation(
                self.rule,
                _FIELDS.get(g.measure, "weight_kg_at_diagnosis"),
                f"{g.measure} at {record.age_at_diagnosis_months} months ({_code(record.sex)}): "
                f"{kind} {g.z:.1f} beyond the plausible {g.limits[0]:g} to {g.limits[1]:g} "
                f"of the {g.reference} reference",
            )

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa

        names = (
            "sex",
            "age_at_diagnosis_months",
            "weight_kg_at_diagnosis",
            "height_cm_at_diagnosis",
            "down_syndrome",
        )
        rows = zip(*(columns[n].to_pylist() for n in names), strict=True)
        # a null goes to pydantic, which names it (RowCheck.holds_over)
        return pa.array([None not in row and not self._problems(*row) for row in rows], pa.bool_())
