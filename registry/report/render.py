"""The center report as JSON (for pipelines), text (a terminal or a log) and a
self-contained HTML page (charts inline, each beside the table it is drawn from)."""

from __future__ import annotations

import json

from registry.report.charts import render_chart
from registry.report.figures import Cell, CenterReport
from registry.templates import template

__all__ = ["render_html", "render_json", "render_text"]


def render_json(report: CenterReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_text(report: CenterReport) -> str:
    out = [
        f"Registry report: {report.source}" + (f", site {report.site}" if report.site else ""),
        f"all-vte-registry {report.package_version}; counts below {report.min_cell} in per-site "
        f"tables shown as <{report.min_cell}",
    ]
    if report.survey_source:
        out.append(f"Survey beside observed practice: {report.survey_source}")
    if report.withheld:
        out.append(
            f"Withheld by the privacy audit ({len(report.withheld)}: with the rest of the "
            "report they would give a suppressed count back):"
        )
        out += [f"  - {w}" for w in report.withheld]
    for section in report.sections:
        out += ["", f"== {section.title} =="]
        if section.text:
            out.append(section.text)
        for table in section.tables:
            out += ["", table.title]
            cells = [[_cell(v) for v in row] for row in table.rows]
            widths = [
                max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(table.columns)
            ]
            out.append("  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)))
            for row in cells:
                out.append(
                    "  ".join(
                        v.ljust(w) if i == 0 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))
                    )
                )
            if not table.rows:
                out.append("(none)")
            if table.note:
                out.append(f"Note: {table.note}")
    return "\n".join(out) + "\n"


def render_html(report: CenterReport) -> str:
    charts = {t.key: render_chart(t) for s in report.sections for t in s.tables}
    first = report.table("sites")
    totals = first.rows[-1] if first.rows else []
    return template("center_report.html.j2").render(
        r=report,
        charts=charts,
        cell=_cell,
        totals=dict(zip(first.columns, totals, strict=False)),
        numeric=lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    )
