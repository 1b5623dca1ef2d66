"""On a large synthetic cohort the report recovers the generator's profile within the
confidence intervals it prints: the share of patients with VTE, the site mix and the mix of
intended durations."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.database.loading import load_submission
from registry.report import build_center_report
from registry.synthetic import synthesize
from registry.synthetic.profile import load_profile

PROFILE = Path(__file__).with_name("recovery.toml")
LABELS = {
    "cerebral_sinovenous": "Cerebral sinovenous thrombosis",
    "pulmonary_embolism": "Pulmonary embolism",
    "splanchnic": "Splanchnic vein thrombosis",
}
DURATIONS = {
    "6_weeks": "6 weeks",
    "3_months": "3 months",
    "6_months": "6 months",
    "until_end_of_asparaginase": "Until end of asparaginase",
    "until_end_of_therapy": "Until end of ALL therapy",
}


@pytest.mark.slow
def test_report_recovers_the_profile(tmp_path: Path) -> None:
    profile = load_profile(PROFILE)
    synthesize(tmp_path / "s", patients=12_000, seed=31, profile=PROFILE, site="RECOV")
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert load_submission(tmp_path / "s", url).outcome == "loaded"
    report = build_center_report(url, min_cell=1)

    # (figure, printed row, profile value in percent)
    checks: list[tuple[str, dict[str, object], float]] = []
    share = report.table("ptwg").row("Patients with VTE")
    checks.append(("patients with VTE", share, 100 * profile.vte.incidence))
    weights = profile.vte.site
    total = sum(weights.values())
    mix = report.table("site_mix")
    for code, label in LABELS.items():
        checks.append((f"site {code}", mix.row(label), 100 * weights[code] / total))
    # None of these events is catheter-related, so the generator turns "until line removal"
    # into 3 months (anticoagulation_courses.py); every other duration is drawn as profiled.
    durations = dict(profile.treatment.duration)
    durations["3_months"] += durations.pop("until_line_removal")
    weight_total = sum(durations.values())
    for kind in ("csvt", "pe"):
        table = report.table(f"duration_{kind}")
        for code, label in DURATIONS.items():
            checks.append(
                (f"{kind} {code}", table.row(label), 100 * durations[code] / weight_total)
            )

    def inside(row: dict[str, object], truth: float) -> bool:
        return row["Lower 95% CI"] <= truth <= row["Upper 95% CI"]

    def z(row: dict[str, object], truth: float) -> float:
        se = (row["Upper 95% CI"] - row["Lower 95% CI"]) / (2 * 1.96)
        return abs(row["%"] - truth) / se

    # The headline figure: inside its printed 95% interval.
    assert inside(share, 100 * profile.vte.incidence), share
    # Fourteen 95% intervals on one seed miss about one figure by chance; a bias shows as
    # many misses or a large one. Under the profile, this pair of checks fails for about 4%
    # of seeds (three or more misses: 3%; any |z| > 3.29: 1.3%).
    misses = [(name, row, truth) for name, row, truth in checks if not inside(row, truth)]
    assert len(misses) <= 2, misses
    assert all(z(row, truth) <= 3.29 for _, row, truth in checks), [
        (name, round(z(row, truth), 2)) for name, row, truth in checks
    ]
