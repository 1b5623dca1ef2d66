"""The center report's HTML page as a person sees it: rendered by headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.report import build_center_report, render_html
from tests.browser import dump_dom, pdf_text, screenshot
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


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.browser
def test_every_row_and_column_of_every_table_is_in_the_printed_report(
    registry_db: Registry, tmp_path: Path
) -> None:
    """Printed to PDF in Chromium, the report loses no row and no column of any table (on
    screen long tables scroll in their boxes; in print they run over pages)."""
    from html.parser import HTMLParser

    report = build_center_report(registry_db.url)
    page = tmp_path / "registry.html"
    page.write_text(render_html(report), encoding="utf-8")
    printed = _squeezed(pdf_text(page, tmp_path / "registry.pdf", tmp_path / "profile"))

    class Cells(HTMLParser):
        """The first cell of every row, and every header cell, of every table."""

        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self._in: str | None = None
            self._first = False
            self._text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                self._first = True
            elif tag in ("td", "th"):
                self._in, self._text = tag, ""

        def handle_data(self, data: str) -> None:
            if self._in:
                self._text += data

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self._in:
                if tag == "th" or self._first:
                    self.cells.append(_squeezed(self._text))
                self._first = False if tag == "td" else self._first
                self._in = None

    parser = Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    labels = [c for c in parser.cells if c and not c.isdigit()]
    assert len(labels) > 200  # every table of both sites: this checks a real report
    missing = sorted({c for c in labels if printed.count(c) < labels.count(c)})
    assert missing == [], f"{len(missing)} cells are not printed, e.g. {missing[:5]}"
