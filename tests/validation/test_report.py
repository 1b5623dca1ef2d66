"""The report: JSON contract, terminal text, and HTML as a person sees it in a browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.validation.report_html import ROWS_PER_RULE, render_html
from registry.validation.report_text import render_text
from tests.browser import dump_dom, screenshot
from tests.conftest import Validated

FINDING_KEYS = {
    "rule",
    "severity",
    "category",
    "table",
    "row",
    "record_id",
    "field",
    "value",
    "message",
}


def test_json_contract(defect_cohort: Validated) -> None:
    data = json.loads(json.dumps(defect_cohort.report.to_dict()))
    assert {"schema_version", "package_version", "submission", "summary", "findings"} <= set(data)
    assert set(data["submission"]) == {
        "site_id",
        "submission_id",
        "schema_version",
        "tables",
        "not_submitted",
    }
    assert data["submission"]["site_id"] == "SYN01"
    assert set(data["summary"]) == {"errors", "warnings", "rules_failed"}
    assert data["summary"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    assert all(isinstance(f["row"], int | None) for f in data["findings"])


def test_text_report_shows_summary_then_top_findings(defect_cohort: Validated) -> None:
    text = render_text(defect_cohort.report)
    assert text.index("FAILED") < text.index("rules failed") < text.index("first 5 of")
    assert "phi-suspected" in text and "site SYN01" in text


def test_clean_report_says_passed(clean_cohort: Validated) -> None:
    assert "PASSED" in render_text(clean_cohort.report)
    html = render_html(clean_cohort.report)
    assert 'id="verdict">passed' in html


def test_html_is_self_contained_and_escaped(defect_cohort: Validated) -> None:
    html = render_html(defect_cohort.report)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "<link" not in html
    for rule in defect_cohort.report.rules():
        assert f'id="rule-{rule.rule}"' in html
    shown = html.count("<tr><td>lab_results</td>")
    assert shown <= ROWS_PER_RULE * len(defect_cohort.report.rules())


@pytest.mark.browser
def test_html_report_renders_in_chromium(defect_cohort: Validated, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(defect_cohort.report), encoding="utf-8")
    profile = tmp_path / "profile"
    png = screenshot(page, tmp_path / "report.png", profile, "1280,2000")
    assert len(png) > 20_000  # a real page, not a blank one
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    dom = dump_dom(page, profile)
    report = defect_cohort.report
    assert 'id="verdict">failed<' in dom
    assert f'id="errors">{report.errors}<' in dom
    assert f'id="warnings">{report.warnings}<' in dom
    for rule in ("phi-suspected", "fk-missing", "catheter-not-in-place"):
        assert f'href="#rule-{rule}"' in dom
