"""The center report on a two-site registry: every figure computed again by hand from the
submitted CSV files (plain Python, not the report's code), the suppression of small cells,
the survey beside observed practice, and the command line."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from registry.cli import app
from registry.report import CenterReport, build_center_report, render_html, render_text
from tests.conftest import Registry
from tests.hand_estimates import aalen_johansen

DAYS_PER_MONTH = 365.25 / 12
# The survey's anticoagulant classes, written out by hand (survey.md items 12, 18, 22).
CLASS = {
    "enoxaparin": "Low-molecular-weight heparin",
    "dalteparin": "Low-molecular-weight heparin",
    "tinzaparin": "Low-molecular-weight heparin",
    "unfractionated_heparin": "Unfractionated heparin",
    "warfarin": "Vitamin K antagonist",
    "rivaroxaban": "Direct oral anticoagulant",
    "apixaban": "Direct oral anticoagulant",
    "dabigatran": "Direct oral anticoagulant",
    "edoxaban": "Direct oral anticoagulant",
}


def rows(registry: Registry, table: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for folder in registry.folders.values():
        with (folder / f"{table}.csv").open(encoding="utf-8") as f:
            out += list(csv.DictReader(f))
    return out


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def plain(registry_db: Registry) -> CenterReport:
    """The report with no suppression, to compare every figure."""
    return build_center_report(registry_db.url, min_cell=1)


@pytest.fixture(scope="module")
def hand(registry_db: Registry) -> dict[str, Any]:
    patients = rows(registry_db, "patients")
    events = rows(registry_db, "vte_events")
    first: dict[str, dt.date] = {}
    for e in events:
        day = d(e["diagnosis_date"])
        first[e["patient_id"]] = min(first.get(e["patient_id"], day), day)
    return {"patients": patients, "events": events, "first": first}


def end_of(p: dict[str, str]) -> dt.date:
    return d(p["death_date"] or p["last_contact_date"])


def test_enrollment_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    sites = plain.table("sites")
    for site in ("NYC01", "BOS02"):
        mine = [p for p in hand["patients"] if p["site_id"] == site]
        years = sum((end_of(p) - d(p["diagnosis_date"])).days for p in mine) / 365.25
        row = sites.row(site)
        assert row["Patients"] == len(mine)
        assert row["Person-years"] == pytest.approx(round(years, 1))
        assert row["Patients with VTE"] == len({p["patient_id"] for p in mine} & set(hand["first"]))
        assert row["Submissions loaded"] == 1
    months = Counter((p["diagnosis_date"][:7], p["site_id"]) for p in hand["patients"])
    table = plain.table("by_month")
    for month_row in table.rows:
        cells = dict(zip(table.columns, month_row, strict=True))
        for site in ("NYC01", "BOS02"):
            assert cells[site] == months[(str(cells["Month"]), site)]
    assert sum(int(r[-1]) for r in table.rows) == len(hand["patients"])


def test_incidence_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    years = 0.0
    for p in hand["patients"]:
        end = end_of(p)
        if p["patient_id"] in hand["first"]:
            end = min(end, hand["first"][p["patient_id"]])
        years += max(0, (end - d(p["diagnosis_date"])).days) / 365.25
    row = plain.table("incidence").row("All sites")
    assert row["Patients with VTE"] == len(hand["first"])
    assert row["Person-years at risk"] == pytest.approx(round(years, 1))
    assert row["Per 100 person-years"] == pytest.approx(round(100 * len(hand["first"]) / years, 2))
    assert row["VTE events"] == len(hand["events"])
    assert row["Lower 95% CI"] < row["Per 100 person-years"] < row["Upper 95% CI"]


def test_cumulative_incidence_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    """Aalen-Johansen by hand at 12 months, death without VTE competing."""
    times, outcome = [], []
    for p in hand["patients"]:
        start, end = d(p["diagnosis_date"]), end_of(p)
        first = hand["first"].get(p["patient_id"])
        if first is not None and first <= end:
            times.append((first - start).days / DAYS_PER_MONTH)
            outcome.append(1)
        else:
            times.append((end - start).days / DAYS_PER_MONTH)
            outcome.append(2 if p["death_date"] else 0)
    cif = aalen_johansen(times, outcome, 12) / 100
    row = plain.table("cif_overall").row("All patients")
    # lifelines breaks a tie of a VTE and a death on one day by a tiny jitter
    assert row["12 months (%)"] == pytest.approx(100 * cif, abs=0.05)
    assert row["12 months lower"] < row["12 months (%)"] < row["12 months upper"]


def test_site_mix_phase_and_ptwg_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    events = hand["events"]
    mix = plain.table("site_mix")
    for code, n in Counter(e["site"] for e in events).items():
        label = {
            "cvc_upper_dvt": "Catheter-related upper-extremity / central DVT",
            "cerebral_sinovenous": "Cerebral sinovenous thrombosis",
            "pulmonary_embolism": "Pulmonary embolism",
        }.get(code)
        if label:
            assert mix.row(label)["Events"] == n
            assert mix.row(label)["%"] == round(100 * n / len(events), 1)
    assert sum(mix.column("Events")) == len(events)
    assert plain.table("phase").row("Induction")["Events"] == sum(
        e["phase_at_event"] == "induction" for e in events
    )
    ptwg = plain.table("ptwg").row("PTWG-qualifying events")
    assert ptwg["n"] == sum(e["ptwg_qualifying"] == "true" for e in events)
    assert ptwg["Of"] == len(events)
    share = plain.table("ptwg").row("Patients with VTE")
    assert (share["n"], share["Of"]) == (len(hand["first"]), len(hand["patients"]))


def test_first_agent_and_duration_by_hand(
    plain: CenterReport, hand: dict[str, Any], registry_db: Registry
) -> None:
    kind = {}
    for e in hand["events"]:
        if e["site"] == "pulmonary_embolism":
            kind[e["event_id"]] = "pe"
        elif e["site"] == "cerebral_sinovenous":
            kind[e["event_id"]] = "csvt"
        elif e["catheter_related"] == "true" or e["site"] == "cvc_upper_dvt":
            kind[e["event_id"]] = "catheter_dvt"
        else:
            kind[e["event_id"]] = "other"
    first: dict[str, dict[str, str]] = {}
    for c in rows(registry_db, "anticoagulation_courses"):
        if c["intent"] != "treatment" or not c["event_id"]:
            continue
        key = (c["start_date"], c["course_id"])
        held = first.get(c["event_id"])
        if held is None or key < (held["start_date"], held["course_id"]):
            first[c["event_id"]] = c
    agents: Counter[tuple[str, str]] = Counter()
    durations: Counter[tuple[str, str]] = Counter()
    for event_id, c in first.items():
        agents[(kind[event_id], CLASS[c["agent"]])] += 1
        durations[(kind[event_id], c["intended_duration"])] += 1
    for (k, label), n in agents.items():
        assert plain.table(f"agent_{k}").row(label)["Events"] == n
    labels = {
        "3_months": "3 months",
        "6_weeks": "6 weeks",
        "until_line_removal": "Until line removal",
    }
    for (k, code), n in durations.items():
        if code in labels:
            assert plain.table(f"duration_{k}").row(labels[code])["Events"] == n


def _merged(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def test_bleeding_on_anticoagulation_by_hand(
    plain: CenterReport, hand: dict[str, Any], registry_db: Registry
) -> None:
    end = {p["patient_id"]: end_of(p) for p in hand["patients"]}
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for c in rows(registry_db, "anticoagulation_courses"):
        start = d(c["start_date"])
        stop = d(c["stop_date"]) if c["stop_date"] else end[c["patient_id"]]
        spans[c["patient_id"]].append((start, max(start, stop)))
    merged = {pid: _merged(s) for pid, s in spans.items()}
    years = sum((e - s).days + 1 for m in merged.values() for s, e in m) / 365.25
    major = sum(
        1
        for b in rows(registry_db, "bleeding_events")
        if b["isth_category"] == "major"
        and any(s <= d(b["date"]) <= e for s, e in merged.get(b["patient_id"], []))
    )
    row = plain.table("bleeding").row("Major")
    assert row["Bleeds"] == major
    assert row["Per 100 patient-years"] == pytest.approx(round(100 * major / years, 2))
    assert row["Patient-years on anticoagulation"] == pytest.approx(round(years, 2))


def test_outcomes_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    causes = Counter(p["cause_of_death"] for p in hand["patients"] if p["death_date"])
    assert plain.table("deaths").row("Leukemia")["Deaths"] == causes["leukemia"]
    assert sum(plain.table("deaths").column("Deaths")) == sum(causes.values())
    grades = Counter(e["ctcae_grade"] for e in hand["events"])
    for g in range(1, 6):
        assert plain.table("ctcae").row(f"Grade {g}")["Events"] == grades[str(g)]
    recurrent = [e for e in hand["events"] if e["recurrence_of_event_id"]]
    assert plain.table("recurrence").row("Recurrent events")["n"] == len(recurrent)


def test_table_one_by_hand(plain: CenterReport, hand: dict[str, Any]) -> None:
    t1 = plain.table("table1")
    for site in ("NYC01", "BOS02"):
        mine = [p for p in hand["patients"] if p["site_id"] == site]
        teen = sum(int(p["age_at_diagnosis_months"]) >= 120 for p in mine)
        cell = t1.row("Age group: >= 10 years")[site]
        assert cell == f"{teen} ({100 * teen / len(mine):.1f})"
        t_all = sum(p["immunophenotype"] == "t_cell" for p in mine)
        assert str(t1.row("Immunophenotype: T-cell ALL")[site]).startswith(f"{t_all} (")


def test_data_quality_is_the_findings_of_each_load(
    plain: CenterReport, registry_db: Registry
) -> None:
    from registry.validation.validate import validate_submission

    table = plain.table("quality_rules")
    for site, folder in registry_db.folders.items():
        found = Counter(f.rule for f in validate_submission(folder).findings)
        shown = {r[1]: r[4] for r in table.rows if r[0] == site}
        assert shown == dict(found)
        records = sum(1 for t in folder.glob("*.csv") for _ in t.open()) - len(
            list(folder.glob("*.csv"))
        )
        for rule_id, n in found.items():
            row = next(r for r in table.rows if r[0] == site and r[1] == rule_id)
            assert row[5] == pytest.approx(round(100 * n / records, 2))
    trend = plain.table("quality_trend")
    assert sorted(trend.column("Site")) == ["BOS02", "NYC01"]


# --- privacy ----------------------------------------------------------------------------
def _small_counts(report: CenterReport, per_site_only: bool) -> list[tuple[str, str, object]]:
    out = []
    for s in report.sections:
        for t in s.tables:
            if per_site_only and not t.per_site:
                continue
            for row in t.rows:
                for column in t.counts:
                    v = row[t.columns.index(column)]
                    n = int(v.split(" ")[0]) if isinstance(v, str) and v[:1].isdigit() else v
                    if isinstance(n, int) and not isinstance(n, bool) and 0 < n < 11:
                        out.append((t.key, column, v))
    return out


def test_no_small_count_in_a_per_site_table(registry_db: Registry) -> None:
    report = build_center_report(registry_db.url)
    assert _small_counts(report, per_site_only=True) == []
    plain = build_center_report(registry_db.url, min_cell=1)
    assert _small_counts(plain, per_site_only=True), "the fixture must have small cells"
    # and the suppressed cells are what the text and HTML show
    assert "<11" in render_text(report)
    assert 'class="suppressed">&lt;11<' in render_html(report)


def test_a_one_site_report_suppresses_every_table(registry_db: Registry) -> None:
    report = build_center_report(registry_db.url, site="BOS02")
    assert report.table("sites").column("Site") == ["BOS02"]
    assert _small_counts(report, per_site_only=False) == []
    assert report.table("table1").columns == ["Characteristic", "Overall"]


def test_no_record_level_value_leaves_the_report(registry_db: Registry) -> None:
    text = json.dumps(build_center_report(registry_db.url).to_dict())
    for p in rows(registry_db, "patients"):
        assert p["patient_id"] not in text
        assert p["patient_id"].split("-")[1] not in text
    for e in rows(registry_db, "vte_events")[:50]:
        assert e["event_id"] not in text


# --- survey beside observed practice ------------------------------------------------------
def test_survey_answers_beside_observed_practice(
    registry_db: Registry, survey_summary: Path
) -> None:
    summary = json.loads(survey_summary.read_text(encoding="utf-8"))
    report = build_center_report(registry_db.url, survey=survey_summary)
    agent = report.table("agent_catheter_dvt")
    assert (
        agent.row("Low-molecular-weight heparin")["Survey: % of providers"]
        == (summary["items"]["q12_cvc_first_agent"]["percent"]["lmwh"])
    )
    duration = report.table("duration_pe")
    assert (
        duration.row("3 months")["Survey: % of providers"]
        == (summary["items"]["q19_pe_duration"]["percent"]["3_months"])
    )
    assert agent.chart is not None and "Survey: % of providers" in agent.chart.y
    platelets = report.table("platelets")
    assert (
        platelets.row("30-49")["Survey: hold threshold %"]
        == (summary["items"]["q32_plt_hold_threshold"]["percent"]["lt_50"])
    )
    practice = report.table("prophylaxis_practice")
    assert (
        practice.row("None")["Survey: % of providers"]
        == (summary["items"]["q38_primary_prophylaxis"]["percent"]["none"])
    )
    without = build_center_report(registry_db.url)
    assert "Survey: % of providers" not in without.table("agent_catheter_dvt").columns


# --- command line ---------------------------------------------------------------------------
def test_cli_formats(registry_db: Registry, tmp_path: Path, survey_summary: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.json"
    args = ["--format", "json", "--output", str(out), "--survey", str(survey_summary)]
    result = runner.invoke(app, ["report", "--db", registry_db.url, *args])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["sections"]) == {
        "enrollment",
        "patients",
        "vte",
        "management",
        "outcomes",
        "quality",
    }
    assert data["small_cell_threshold"] == 11
    result = runner.invoke(app, ["report", "--db", registry_db.url, "--site", "NYC01"])
    assert result.exit_code == 0
    assert "Registry report" in result.stdout and "NYC01" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "XXX99"], "site 'XXX99' has no patients"),
        (["--survey", "{missing}"], "no such file"),
        (["--survey", "{not_json}"], "not a JSON survey summary"),
        (["--survey", "{wrong_json}"], "not a survey summary"),
        (["--min-cell", "0"], "greater than or equal to 1"),
    ],
    ids=["unknown-site", "missing-survey", "survey-not-json", "survey-wrong-shape", "min-cell-0"],
)
def test_cli_refuses_in_one_line(
    registry_db: Registry, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "not.json").write_text("hello", encoding="utf-8")
    (tmp_path / "wrong.json").write_text('{"items": [1, 2]}', encoding="utf-8")
    paths = {
        "missing": tmp_path / "none.json",
        "not_json": tmp_path / "not.json",
        "wrong_json": tmp_path / "wrong.json",
    }
    args = [a.format(**paths) for a in args]
    result = CliRunner().invoke(app, ["report", "--db", registry_db.url, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_an_empty_or_missing_database(tmp_path: Path) -> None:
    from registry.database.store import create_schema, make_engine

    runner = CliRunner()
    missing = runner.invoke(app, ["report", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert missing.exit_code == 2 and "no database" in missing.output
    assert not (tmp_path / "none.sqlite").exists()
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    create_schema(engine)
    engine.dispose()
    empty = runner.invoke(app, ["report", "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}"])
    assert empty.exit_code == 2 and "holds no patients" in empty.output


def test_an_old_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    from registry.database.store import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0004")
    engine.dispose()
    result = CliRunner().invoke(app, ["report", "--db", url])
    assert result.exit_code == 2
    assert "vte-registry db upgrade" in result.output


def test_quality_trend_follows_a_sites_submissions(registry_db: Registry, tmp_path: Path) -> None:
    from registry.database.loading import load_submission
    from registry.synthetic import synthesize

    url = f"sqlite:///{tmp_path / 'trend.sqlite'}"
    assert load_submission(registry_db.folders["BOS02"], url).outcome == "loaded"
    newer = tmp_path / "newer"
    synthesize(newer, patients=120, seed=77, site="BOS02")
    assert load_submission(newer, url, allow_removal=True).outcome == "replaced"
    report = build_center_report(url, min_cell=1)
    trend = report.table("quality_trend")
    assert trend.column("Site") == ["BOS02", "BOS02"]
    manifest = json.loads((newer / "manifest.json").read_text(encoding="utf-8"))
    assert trend.rows[-1][2] == manifest["submission_id"][:8]  # oldest first
    assert report.table("sites").row("BOS02")["Submissions loaded"] == 2
    assert report.table("sites").row("BOS02")["Patients"] == 120  # the newer one replaced it
