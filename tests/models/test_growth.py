"""growth-implausible against its references: the medians score 0, the published worked
example reproduces, and each limit is where its source puts it."""

from __future__ import annotations

import pytest

from registry.models.growth import CDC_LIMITS, WHO_LIMITS, _lms, growth_z


def _z(sex: str, months: int, weight: float, height: float, down: bool = False) -> dict:
    return {g.measure: g for g in growth_z(sex, months, weight, height, down)}


@pytest.mark.parametrize(
    ("sex", "months"), [("male", 6), ("female", 18), ("male", 60), ("female", 150)]
)
def test_the_median_child_scores_zero(sex: str, months: int) -> None:
    reference = "who" if months < 24 else "cdc"
    weight = _lms(reference, "weight", sex, months)[1]
    height = _lms(reference, "height", sex, months)[1]
    found = _z(sex, months, weight, height)
    assert abs(found["weight"].z) < 1e-9 and abs(found["height"].z) < 1e-9
    assert not any(g.implausible for g in found.values())


def test_cdc_modified_z_matches_the_published_example() -> None:
    # CDC, "Modified z-scores in the CDC growth charts": a boy of 48.5 months with a BMI of
    # 12 has a modified BMI z of -3.85 (the BMI is weight / height^2; height 100 cm)
    found = _z("male", 48, 12.0, 100.0)
    assert found["bmi"].z == pytest.approx(-3.85, abs=0.01)
    assert not found["bmi"].implausible  # -4 is the limit


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("measure", ["weight", "height"])
@pytest.mark.parametrize(("months", "limits"), [(10, WHO_LIMITS), (80, CDC_LIMITS)])
def test_limits_sit_where_the_source_puts_them(
    measure: str, months: int, limits: dict, direction: int
) -> None:
    # walk the measure away from the median until it is flagged: the z there is past the
    # limit on that side and the step before is within it
    reference = "who" if months < 24 else "cdc"
    median_w = _lms(reference, "weight", "female", months)[1]
    median_h = _lms(reference, "height", "female", months)[1]
    low, high, _ = limits[measure]
    limit = high if direction == 1 else low
    previous = None
    for step in range(1, 4000 if direction == 1 else 999):  # a weight stays above 0
        factor = 1 + direction * step / 1000
        w, h = (
            (median_w * factor, median_h) if measure == "weight" else (median_w, median_h * factor)
        )
        found = _z("female", months, w, h)[measure]
        if found.implausible:
            assert previous is not None
            assert direction * found.z >= direction * limit >= direction * previous.z
            return
        previous = found
    pytest.fail(f"{measure} never flagged on side {direction}")


def test_down_syndrome_uses_its_own_reference() -> None:
    # 5 years, 95 cm: short for the CDC charts, usual for children with Down syndrome
    general = _z("male", 60, 14.0, 95.0)
    down = _z("male", 60, 14.0, 95.0, down=True)
    assert down["height"].reference == "trisomy-21"
    assert down["height"].z > general["height"].z + 1


def test_down_syndrome_falls_back_where_its_reference_ends() -> None:
    # the trisomy 21 BMI reference ends before 20 years: BMI 97 at 230 months is still judged
    found = _z("female", 230, 190.0, 140.0, down=True)
    assert found["bmi"].reference == "cdc" and found["bmi"].implausible
    assert found["height"].reference == "trisomy-21"


def test_past_the_charts_the_last_month_judges() -> None:
    # 21 years, past the CDC charts' 20: 190 kg at 120 cm is refused, 70 kg at 176 cm not
    found = _z("male", 255, 190.0, 120.0)
    assert found["height"].implausible and found["bmi"].implausible
    assert not any(g.implausible for g in _z("male", 255, 70.0, 176.0).values())


def test_unknown_sex_is_not_checked() -> None:
    assert growth_z("unknown", 60, 90.0, 100.0, False) == []
