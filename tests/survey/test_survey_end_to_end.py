"""Survey validate and summarize: the paper's table, REDCap exports, findings, pictures."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from registry.export.redcap import SURVEY_FORM, survey_dictionary
from registry.models.survey import ITEMS, checkbox_column
from registry.survey import summarize, validate_survey
from registry.survey.charts import CHARTS, render_charts
from registry.survey.report import render_summary_html, render_summary_text
from registry.synthetic.survey import generate_survey, load_survey_profile, write_survey


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("survey")
    profile = load_survey_profile()
    write_survey(folder, generate_survey(154, seed=2021, profile=profile), profile)
    return folder


def test_summary_reproduces_the_published_table(calibrated: Path) -> None:
    summary, report = summarize(calibrated, invited=870)
    assert report.errors == 0
    assert (summary.n, summary.response_rate) == (154, 17.7)
    practice = summary.items["q01_practice_type"]
    assert practice.answered == 145
    assert {k: v for k, v in practice.counts.items() if v} == {
        "hematology": 76,
        "oncology": 19,
        "combined_hem_onc": 40,
        "bmt": 10,
    }
    assert practice.percent["hematology"] == 52.4
    years = summary.items["q02_years_in_practice"]
    assert (years.counts["le_5"], years.counts["ge_16"]) == (38, 44)
    assert summary.items["q03_new_leukemia_per_year"].counts["0_50"] == 99
    assert summary.items["q04_country"].counts == {"us": 144, "other": 1}
    duration = summary.items["q13_cvc_duration"]
    assert round(duration.percent["3_months"]) == 50
    assert round(duration.percent["until_line_removal"]) == 16


def test_text_summary_in_the_papers_figures_with_the_html_labels(calibrated: Path) -> None:
    text = render_summary_text(summarize(calibrated, invited=870)[0])
    for label, count, percent in (
        ("Hematology", 76, 52),
        ("Oncology", 19, 13),
        ("Combined hematology/oncology", 40, 28),
        ("BMT", 10, 7),
        ("≤ 5 years", 38, 26),
        ("≥ 16 years", 44, 30),
        ("0-50", 99, 68),
        ("3 months", 69, 50),
    ):
        assert re.search(rf"^  {re.escape(label)} +{count} +{percent}%$", text, re.M), label
    assert "154 responses of 870 invited (17.7%)" in text


def test_text_summary_columns_line_up_across_items(calibrated: Path) -> None:
    text = render_summary_text(summarize(calibrated)[0])
    rows = [line for line in text.splitlines() if re.match(r"^  \S", line)]
    assert len(rows) > 100
    assert len({line.rindex("%") for line in rows}) == 1  # percent column
    assert len({len(line) for line in rows}) == 1  # so the count column too


def test_every_summary_marks_the_items_not_calibrated(calibrated: Path, tmp_path: Path) -> None:
    summary = summarize(calibrated)[0]
    profile = load_survey_profile()
    expected = {it.id for it in ITEMS} - {i for i, p in profile.items.items() if p.calibrated}
    assert set(summary.not_calibrated or []) == expected
    assert "q01_practice_type" not in expected and "q06_institution_type" in expected
    data = summary.to_dict()
    assert data["items"]["q06_institution_type"]["calibrated"] is False
    assert data["items"]["q01_practice_type"]["calibrated"] is True
    text = render_summary_text(summary)
    marked = [line.split(":")[0] for line in text.splitlines() if "not calibrated" in line]
    assert set(marked[1:]) == expected  # the first is the heading's count
    html = render_summary_html(summary)
    assert html.count('class="uncalibrated"') == len(expected)
    assert "q19_pe_duration" in expected and "Not calibrated (synthetic answers" in html
    # The same answers without the generator's note (a real export) carry no marks.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "survey_responses.csv").write_bytes((calibrated / "survey_responses.csv").read_bytes())
    real = summarize(plain)[0]
    assert (
        real.not_calibrated is None
        and real.to_dict()["items"]["q06_institution_type"]["calibrated"] is None
    )
    assert "not calibrated" not in render_summary_text(real)


def test_platelet_threshold_bars_carry_the_percent_their_axis_shows(calibrated: Path) -> None:
    summary = summarize(calibrated)[0]
    figure = CHARTS["platelet_thresholds"](summary)
    for ax, item in zip(
        figure.axes, ("q31_plt_reduce_threshold", "q32_plt_hold_threshold"), strict=True
    ):
        s = summary.items[item]
        shown = sorted(t.get_text() for t in ax.texts)
        assert shown == sorted(f"{s.percent[c]:.0f}%" for c in s.counts if s.counts[c])


def test_json_summary_contract(calibrated: Path) -> None:
    data = json.loads(json.dumps(summarize(calibrated, invited=870)[0].to_dict()))
    assert {"n", "invited", "response_rate", "items"} <= set(data)
    assert set(data["items"]) == {it.id for it in ITEMS}
    multi = data["items"]["q10_vte_types_treated"]
    assert set(multi["counts"]) == {
        "cvc_dvt",
        "non_cvc_dvt",
        "pe",
        "csvt",
        "intracardiac",
        "splanchnic",
        "none",
    }
    assert all(
        set(v) == {"answered", "counts", "percent", "calibrated"} for v in data["items"].values()
    )
    by_type = data["crosstabs"]["q13_cvc_duration"]["q01_practice_type"]
    assert sum(sum(row.values()) for row in by_type.values()) == 138


def test_charts_and_html(calibrated: Path, tmp_path: Path) -> None:
    summary = summarize(calibrated)[0]
    pngs = render_charts(summary, tmp_path)
    assert set(pngs) == set(CHARTS)
    for name, data in pngs.items():
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name
        assert (tmp_path / f"{name}.png").read_bytes() == data
    html = render_summary_html(summary)
    assert html.count("data:image/png;base64,") == len(CHARTS)
    assert "http" not in html.replace("http-equiv", "")


# --- REDCap exports, written the way REDCap writes them ----------------------------------------
def _redcap_export(rows: list[dict], path: Path, labels: bool) -> Path:
    dictionary = survey_dictionary()
    fields = [r["Variable / Field Name"] for r in dictionary]
    by_var = {r["Variable / Field Name"]: r for r in dictionary}
    columns = ["response_id", "redcap_survey_identifier", f"{SURVEY_FORM}_timestamp"]
    for var in fields[1:]:
        row = by_var[var]
        if row["Field Type"] == "checkbox":
            for choice in row["Choices, Calculations, OR Slider Labels"].split(" | "):
                columns.append(checkbox_column(var, choice.split(", ", 1)[0]))
        else:
            columns.append(var)
    columns.append(f"{SURVEY_FORM}_complete")

    def header(col: str) -> str:
        if not labels:
            return col
        fixed = {
            "response_id": "Response ID",
            "redcap_survey_identifier": "Survey Identifier",
            f"{SURVEY_FORM}_timestamp": "Survey Timestamp",
            f"{SURVEY_FORM}_complete": "Complete?",
        }
        if col in fixed:
            return fixed[col]
        if "___" in col:
            var, code = col.split("___")
            choices = dict(
                c.split(", ", 1)
                for c in by_var[var]["Choices, Calculations, OR Slider Labels"].split(" | ")
            )
            return f"{by_var[var]['Field Label']} (choice={choices[code]})"
        return by_var[col]["Field Label"]

    def value(row: dict, col: str) -> str:
        v = row.get(col)
        if col == f"{SURVEY_FORM}_timestamp":
            return (
                row["submitted_at"].strftime("%Y-%m-%d %H:%M:%S")
                if row["submitted_at"]
                else "[not completed]"
            )
        if col == f"{SURVEY_FORM}_complete":
            done = row["complete"]
            return ("Complete" if done else "Incomplete") if labels else ("2" if done else "0")
        if col == "started_at":
            return v.strftime("%Y-%m-%d %H:%M:%S") if v else ""
        if "___" in col:
            ticked = bool(v)
            return ("Checked" if ticked else "Unchecked") if labels else str(int(ticked))
        if v is None or col == "redcap_survey_identifier":
            return ""
        if labels and col in by_var and by_var[col]["Field Type"] == "radio":
            choices = dict(
                c.split(", ", 1)
                for c in by_var[col]["Choices, Calculations, OR Slider Labels"].split(" | ")
            )
            return choices[str(v)]
        return str(v)

    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # REDCap writes a BOM
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)  # and CRLF line ends
        writer.writerow([header(c) for c in columns])
        for row in rows:
            writer.writerow([value(row, c) for c in columns])
    return path


@pytest.mark.parametrize("labels", [False, True], ids=["raw", "labels"])
def test_redcap_export_is_read_validated_and_summarized(tmp_path: Path, labels: bool) -> None:
    rows = generate_survey(154, seed=2021)
    path = _redcap_export(rows, tmp_path / "export.csv", labels)
    report = validate_survey(path)
    assert report.errors == 0, report.findings[:5]
    summary, _ = summarize(path, invited=870)
    assert summary.items["q01_practice_type"].counts["hematology"] == 76
    assert summary.items["q13_cvc_duration"].counts["3_months"] == 69
    assert summary.items["q10_vte_types_treated"].answered > 0
    assert sum(1 for r in rows if r["complete"]) == 138


def test_findings_of_a_broken_export(tmp_path: Path) -> None:
    rows = generate_survey(30, seed=3)
    complete = [r for r in rows if r["complete"]]
    complete[0]["q31_plt_reduce_threshold"], complete[0]["q32_plt_hold_threshold"] = (
        "lt_20",
        "lt_50",
    )
    complete[1]["response_id"] = complete[2]["response_id"]
    complete[3]["q04_country"], complete[3]["q05_country_other"] = "other", "Call 555-201-3344"
    complete[4]["q26_doac_use"] = "never"
    complete[4][checkbox_column("q27_doac_agents", "apixaban")] = 1
    complete[5]["q01_practice_type"] = "surgeon"
    path = write_survey(tmp_path, rows)
    text = path.read_text().replace("response_id,", "response_id,email,", 1)
    lines = text.split("\n")
    lines = [lines[0]] + [line.replace(",", ",,", 1) if line else line for line in lines[1:]]
    path.write_text("\n".join(lines))
    report = validate_survey(path)
    found = {(f.rule, f.field) for f in report.findings}
    assert ("threshold-inconsistent", "q32_plt_hold_threshold") in found
    assert ("id-unique", "response_id") in found
    assert ("phi-suspected", "q05_country_other") in found
    assert any(
        rule == "unexpected-value" and (name or "").startswith("q27_doac_agents___")
        for rule, name in found
    )
    assert ("invalid-code", "q01_practice_type") in found
    assert ("unknown-column", "email") in found
    phi = next(f for f in report.findings if f.rule == "phi-suspected")
    assert "555" not in (phi.value or "")
    assert not report.ok
    # the survey's own response IDs name the responses in clear; a data manager finds them
    shown = {f.record_id for f in report.findings if f.record_id}
    assert complete[0]["response_id"] in shown and complete[2]["response_id"] in shown
    assert not any("*" in (f.record_id or "") for f in report.findings)
    duplicate = next(f for f in report.findings if f.rule == "id-unique")
    assert duplicate.value == complete[2]["response_id"]


@pytest.mark.parametrize("response_id", ["17", "12-3"], ids=["redcap", "redcap-with-group"])
def test_redcap_record_numbers_are_not_masked_but_an_mrn_is(
    response_id: str, tmp_path: Path
) -> None:
    rows = generate_survey(5, seed=4)
    complete = [r for r in rows if r["complete"]]
    complete[0]["response_id"] = response_id
    complete[0]["q31_plt_reduce_threshold"], complete[0]["q32_plt_hold_threshold"] = (
        "lt_20",
        "lt_50",
    )
    complete[1]["response_id"] = "MRN 00482913"  # an MRN where the response ID belongs
    report = validate_survey(write_survey(tmp_path, rows))
    assert response_id in {f.record_id for f in report.findings}
    assert not any("00482913" in f"{f.record_id} {f.value} {f.message}" for f in report.findings)


def test_cli_exit_codes(calibrated: Path, tmp_path: Path) -> None:
    env = {**os.environ}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "registry", "survey", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    assert run("validate", str(calibrated)).returncode == 0
    assert run("validate", str(tmp_path / "none.csv")).returncode == 2
    out = tmp_path / "s.html"
    result = run("summarize", str(calibrated), "--invited", "870", "-f", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s_charts" / "duration_by_vte_type.png").exists()
    result = run("summarize", str(calibrated), "-f", "json")
    assert json.loads(result.stdout)["n"] == 154
    # more responses than invitations is an error, not a response rate of 154.0%
    result = run("summarize", str(calibrated), "--invited", "100")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "154 responses" in lines[0] and "100" in lines[0]
    assert run("summarize", str(calibrated), "--invited", "154").returncode == 0


@pytest.mark.parametrize(
    ("record_id", "valid"),
    [
        ("R000154", True),
        ("1", True),
        ("154", True),
        ("12-3", True),  # REDCap's own IDs
        ("0", False),
        ("12-0", False),
        ("R12", False),
        ("-3", False),
        ("12-3-4", False),
        ("MRN123456", False),
    ],
)
def test_redcap_record_ids_are_response_ids(record_id: str, valid: bool) -> None:
    """shared/spec/survey.md: in a REDCap export the record ID is REDCap's own, a positive
    integer or '<group>-<n>' with data access groups."""
    from registry.models import SurveyResponseRecord
    from registry.validation.conformance import parse_rows

    row = {"response_id": record_id, "started_at": "2021-03-01 10:00:00", "complete": "0"}
    parsed = parse_rows(SurveyResponseRecord, [row])
    errors = [e for _, e in parsed.errors if e.field == "response_id"]
    assert (errors == []) == valid, errors


@pytest.mark.parametrize("numbering", ["auto", "dag"])
def test_redcap_export_with_redcaps_own_record_ids_validates(
    tmp_path: Path, numbering: str
) -> None:
    rows = generate_survey(40, seed=7)
    for n, row in enumerate(rows, start=1):
        row["response_id"] = str(n) if numbering == "auto" else f"{1 + n % 3}-{n}"
    path = _redcap_export(rows, tmp_path / "export.csv", labels=False)
    report = validate_survey(path)
    assert report.errors == 0, report.findings[:5]
    rows[1]["response_id"] = rows[0]["response_id"]  # still unique, as the spec says
    report = validate_survey(_redcap_export(rows, tmp_path / "dup.csv", labels=False))
    assert [(f.rule, f.record_id) for f in report.findings if f.rule == "id-unique"] == [
        ("id-unique", rows[0]["response_id"])
    ]
