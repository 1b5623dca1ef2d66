"""Synthetic cohorts: consistent with every rule, reproducible, clinically realistic."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from pathlib import Path

import pytest

from registry.synthetic import generate_cohort, load_profile, synthesize
from registry.synthetic.cohort import Cohort
from registry.synthetic.profile import ProfileError
from tests.conftest import Validated


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_clean_cohort_has_zero_error_findings(clean_cohort: Validated) -> None:
    report = clean_cohort.report
    errors = [f for f in report.findings if f.severity == "error"]
    assert errors == [], errors[:5]
    assert sum(report.tables.values()) == sum(clean_cohort.synth.counts.values())


def test_clean_parquet_cohort_has_zero_error_findings(clean_parquet_cohort: Validated) -> None:
    assert clean_parquet_cohort.report.errors == 0, clean_parquet_cohort.report.findings[:5]
    assert all(p.suffix in (".parquet", ".json") for p in clean_parquet_cohort.folder.iterdir())


def test_clean_cohort_warnings_are_only_realistic_ones(clean_cohort: Validated) -> None:
    # Untreated events, a few late enrollments and anticoagulation going on after one major
    # bleed in ten are part of the profile; nothing else.
    realistic = {"untreated-event", "late-enrollment", "anticoagulation-after-major-bleed"}
    assert {f.rule for f in clean_cohort.report.findings} <= realistic


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_same_bytes(tmp_path: Path, fmt: str) -> None:
    a = synthesize(tmp_path / "a", 150, seed=3, defects=0.05, fmt=fmt)  # type: ignore[arg-type]
    b = synthesize(tmp_path / "b", 150, seed=3, defects=0.05, fmt=fmt)  # type: ignore[arg-type]
    assert _hashes(a.folder) == _hashes(b.folder)
    c = synthesize(tmp_path / "c", 150, seed=4, fmt=fmt)  # type: ignore[arg-type]
    assert _hashes(c.folder)["patients." + fmt] != _hashes(a.folder)["patients." + fmt]


@pytest.fixture(scope="module")
def big() -> Cohort:
    return generate_cohort(6000, seed=21)


def _share(items: list[bool]) -> float:
    return sum(items) / len(items)


def test_demographics(big: Cohort) -> None:
    pts = big.tables["patients"]
    assert 0.52 <= _share([p["sex"] == "male" for p in pts]) <= 0.58
    kinds = Counter(p["immunophenotype"] for p in pts)
    assert 0.82 <= kinds["b_cell"] / len(pts) <= 0.88
    assert 0.10 <= kinds["t_cell"] / len(pts) <= 0.16
    years = Counter(p["age_at_diagnosis_months"] // 12 for p in pts)
    assert years.most_common(1)[0][0] in (2, 3, 4, 5)  # peak at 2-5 years
    median_age = statistics.median(p["age_at_diagnosis_months"] for p in pts)
    assert 36 <= median_age <= 84
    b_all = [p for p in pts if p["nci_risk_group"] is not None]
    assert 0.60 <= _share([p["nci_risk_group"] == "standard" for p in b_all]) <= 0.72


def test_vte_incidence_and_risk_factors(big: Cohort) -> None:
    pts = {p["patient_id"]: p for p in big.tables["patients"]}
    with_event = {e["patient_id"] for e in big.tables["vte_events"]}
    assert 0.05 <= len(with_event) / len(pts) <= 0.085
    old = [pid in with_event for pid, p in pts.items() if p["age_at_diagnosis_months"] >= 120]
    young = [pid in with_event for pid, p in pts.items() if p["age_at_diagnosis_months"] < 120]
    ratio = _share(old) / _share(young)
    assert 2.5 <= ratio <= 8, ratio  # hazard ratio ~4-5 (NOPHO), with prednisone on top


def test_vte_sites_timing_and_detection(big: Cohort) -> None:
    events = big.tables["vte_events"]
    sites = Counter(e["site"] for e in events)
    n = len(events)
    assert 0.48 <= sites["cvc_upper_dvt"] / n <= 0.64
    assert 0.16 <= sites["cerebral_sinovenous"] / n <= 0.32
    assert 0.03 <= sites["pulmonary_embolism"] / n <= 0.12
    early = [
        e["phase_at_event"] in ("induction", "consolidation", "delayed_intensification_1")
        for e in events
    ]
    assert _share(early) >= 0.6
    assert Counter(e["detection"] for e in events)["incidental"] > 0
    assert 0 < sum(e["recurrence_of_event_id"] is not None for e in events) / n <= 0.08


def test_treatment_reflects_practice_variation(big: Cohort) -> None:
    courses = [c for c in big.tables["anticoagulation_courses"] if c["intent"] == "treatment"]
    agents = Counter(c["agent"] for c in courses)
    assert agents["enoxaparin"] / len(courses) >= 0.6
    assert agents["rivaroxaban"] + agents["apixaban"] + agents["dabigatran"] > 0
    assert agents["unfractionated_heparin"] > 0
    first = {}
    for c in sorted(courses, key=lambda c: c["start_date"]):
        first.setdefault(c["event_id"], c)
    durations = Counter(c["intended_duration"] for c in first.values())
    assert 0.4 <= durations["3_months"] / len(first) <= 0.62
    assert durations["until_line_removal"] > 0
    lmwh = {c["course_id"] for c in courses if c["agent"] in ("enoxaparin", "dalteparin")}
    labs = [
        lab
        for lab in big.tables["lab_results"]
        if lab["test"] == "anti_xa" and lab["course_id"] in lmwh
    ]
    assert labs
    in_target = [0.5 <= lab["value"] <= 1.0 for lab in labs]
    assert 0.5 <= _share(in_target) <= 0.95  # monitored around the target
    adjustments = Counter(a["reason"] for a in big.tables["dose_adjustments"])
    assert adjustments["thrombocytopenia"] > 0 and adjustments["lumbar_puncture"] > 0


def test_bleeding_deaths_and_thrombophilia(big: Cohort) -> None:
    pts = big.tables["patients"]
    treated = {c["patient_id"] for c in big.tables["anticoagulation_courses"]}
    bled = {b["patient_id"] for b in big.tables["bleeding_events"]} & treated
    assert 0 < len(bled) / len(treated) <= 0.1
    dead = [p for p in pts if p["vital_status"] == "dead"]
    assert 0.01 <= len(dead) / len(pts) <= 0.08
    fvl = [t for t in big.tables["thrombophilia_tests"] if t["test"] == "factor_v_leiden"]
    assert 0.02 <= _share([t["result_category"] != "normal" for t in fvl]) <= 0.09


def test_profile_unknown_key_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[vte]\nincidense = 0.1\n")
    with pytest.raises(ProfileError, match="incidense"):
        load_profile(bad)


def test_custom_profile_is_merged_over_the_default(tmp_path: Path) -> None:
    custom = tmp_path / "high.toml"
    custom.write_text("[vte]\nincidence = 0.3\n")
    profile = load_profile(custom)
    assert profile.vte.incidence == 0.3
    assert profile.demographics.male_share == load_profile().demographics.male_share
    cohort = generate_cohort(800, seed=2, profile=profile)
    share = len({e["patient_id"] for e in cohort.tables["vte_events"]}) / 800
    assert share > 0.2


def test_unknown_profile_name() -> None:
    with pytest.raises(ProfileError, match="no profile named"):
        load_profile("nonexistent")


def test_two_sites_from_one_seed_are_two_submissions(tmp_path: Path) -> None:
    """synth --site A --seed S and --site B --seed S: different submission_ids, so both load
    into one registry (the second is not refused as "already loaded"); the same site and
    seed give the same submission_id again."""
    import json

    from registry.database.loading import load_submission

    def made(site: str, name: str) -> tuple[Path, str]:
        folder = synthesize(tmp_path / name, 20, seed=4, site=site).folder
        return folder, json.loads((folder / "manifest.json").read_text())["submission_id"]

    (a, id_a), (b, id_b), (_, id_a_again) = (
        made("SITEA", "a"),
        made("SITEB", "b"),
        made("SITEA", "a2"),
    )
    assert id_a != id_b and id_a == id_a_again
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    assert [load_submission(f, url).outcome for f in (a, b)] == ["loaded", "loaded"]
