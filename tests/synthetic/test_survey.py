"""Synthetic survey responses: the published figures for N = 154, valid everywhere."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from registry.models import SurveyResponseRecord
from registry.models.survey import ITEMS, checkbox_column
from registry.synthetic.survey import generate_survey, load_survey_profile, write_survey
from registry.validation import parse_rows

PUBLISHED = {  # Degliuomini et al. 2021 (shared/spec/survey.md)
    "q01_practice_type": {"hematology": 76, "oncology": 19, "combined_hem_onc": 40, "bmt": 10},
    "q04_country": {"us": 144, "other": 1},
}


@pytest.fixture(scope="module")
def calibrated() -> list[dict]:
    return generate_survey(154, seed=5)


def _counts(rows: list[dict], item: str) -> Counter:
    return Counter(r.get(item) for r in rows if r.get(item) is not None)


def test_published_counts_are_reproduced_exactly(calibrated: list[dict]) -> None:
    for item, counts in PUBLISHED.items():
        assert dict(_counts(calibrated, item)) == counts
    assert sum(_counts(calibrated, "q01_practice_type").values()) == 145  # 9 did not answer
    years = _counts(calibrated, "q02_years_in_practice")
    assert (years["le_5"], years["ge_16"]) == (38, 44)
    assert _counts(calibrated, "q03_new_leukemia_per_year")["0_50"] == 99
    duration = _counts(calibrated, "q13_cvc_duration")
    answered = sum(duration.values())
    assert round(100 * duration["3_months"] / answered) == 50
    assert round(100 * duration["until_line_removal"] / answered) == 16
    assert _counts(calibrated, "q11_most_common_vte").most_common(1)[0][0] == "cvc_dvt"


@pytest.mark.parametrize("n", [154, 40, 500])
def test_every_response_is_valid(n: int, tmp_path: Path) -> None:
    rows = generate_survey(n, seed=n)
    path = write_survey(tmp_path, rows)
    with path.open(encoding="utf-8") as handle:
        parsed = parse_rows(SurveyResponseRecord, list(csv.DictReader(handle)))
    assert parsed.errors == []
    assert len(parsed.records) == n


def test_branching_and_exclusive_options_are_respected(calibrated: list[dict]) -> None:
    for row in calibrated:
        if row.get("q26_doac_use") == "never":
            assert not any(
                row.get(checkbox_column("q27_doac_agents", c))
                for c in ("rivaroxaban", "apixaban", "dabigatran", "edoxaban")
            )
        if row.get("q04_country") != "other":
            assert row.get("q05_country_other") is None
        if row.get(checkbox_column("q10_vte_types_treated", "none")):
            assert sum(bool(row.get(c)) for c in ITEMS[9].columns) == 1


def test_scaled_to_another_size(calibrated: list[dict]) -> None:
    rows = generate_survey(308, seed=1)
    assert dict(_counts(rows, "q01_practice_type")) == {
        k: 2 * v for k, v in PUBLISHED["q01_practice_type"].items()
    }


def test_reproducible(tmp_path: Path) -> None:
    a = write_survey(tmp_path / "a", generate_survey(154, seed=9))
    b = write_survey(tmp_path / "b", generate_survey(154, seed=9))
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_profile_marks_uncalibrated_items() -> None:
    profile = load_survey_profile()
    calibrated = {k for k, v in profile.items.items() if v.calibrated}
    assert calibrated == {
        "q01_practice_type",
        "q02_years_in_practice",
        "q03_new_leukemia_per_year",
        "q04_country",
        "q11_most_common_vte",
        "q13_cvc_duration",
    }
    text = (
        Path(__file__).resolve().parents[2] / "synthetic" / "profiles" / "survey_2021.toml"
    ).read_text()
    flags = re.findall(r"^calibrated = false", text, flags=re.MULTILINE)
    assert len(flags) == len(profile.items) - len(calibrated)


def test_no_respondent_contradicts_themselves() -> None:
    """'Always continue anticoagulation' goes with neither a reduce nor a hold threshold;
    who reduces gives a count to reduce at, who holds a count to hold at."""
    rows = generate_survey(2000, 5)
    answered = [r for r in rows if r.get("q30_continue_low_platelets")]
    assert answered
    for r in answered:
        q30 = r["q30_continue_low_platelets"]
        reduce, hold = r.get("q31_plt_reduce_threshold"), r.get("q32_plt_hold_threshold")
        if q30 == "always":
            assert reduce in (None, "never_reduce") and hold in (None, "never_hold"), r
        if q30 == "dose_reduced":
            assert reduce != "never_reduce", r
        if q30 == "held":
            assert hold != "never_hold", r
