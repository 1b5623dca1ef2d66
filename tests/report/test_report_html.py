"""The center report's HTML page as a person sees it: rendered by headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.report import build_center_report, render_html
from tests.browser import dump_dom, screenshot
from tests.conftest import Registry


@pytest.mark.browser
def test_report_page_renders_in_chromium(
    registry_db: Registry, survey_summary: Path, tmp_path: Path
) -> None:
    report = build_center_report(registry_db.url, survey=survey_summary)
    html = render_html(report)
    # self-contained: nothing fetched, nothing run (SVG namespaces are not fetched)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    page = tmp_path / "registry.html"
    page.write_text(html, encoding="utf-8")
    profile = tmp_path / "profile"
    png = screenshot(page, tmp_path / "registry.png", profile, "1280,2400")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 60_000  # charts and tables, not a blank page
    dom = dump_dom(page, profile)
    total = report.table("sites").row("All sites")
    assert f'id="card-patients">{total["Patients"]:,}<' in dom
    assert 'id="card-sites">2<' in dom
    for section in ("enrollment", "patients", "vte", "management", "outcomes", "quality"):
        assert f'<section id="{section}">' in dom
    # every chart is drawn (inline SVG, text kept as text) beside the table of its numbers
    charted = [t for s in report.sections for t in s.tables if t.chart is not None]
    from registry.report.charts import render_chart

    drawn = [t for t in charted if render_chart(t) is not None]
    assert len(drawn) >= len(charted) - 3  # only charts with nothing to draw are left out
    for t in drawn:
        figure = re.search(
            rf'<div class="chart" id="chart-{t.key}"[^>]*><svg.*?</svg>\s*</div>\s*'
            rf'<div class="data">\s*<table id="table-{t.key}">',
            dom,
            re.S,
        )
        assert figure, f"{t.key}: no chart beside its table"
    assert "Survey: % of providers" in dom
    assert 'class="suppressed">&lt;11<' in dom
