"""The survey summary as text (the paper's form, e.g. ``hematology 76 (52%)``), JSON, and a
self-contained HTML page with the charts embedded."""

from __future__ import annotations

import base64
from pathlib import Path

from registry.models.survey import ITEMS
from registry.survey.charts import CHART_ITEMS, render_charts
from registry.survey.summary import Summary
from registry.templates import template

__all__ = ["render_summary_html", "render_summary_text"]


#: The mark of an item whose synthetic answers are not calibrated to a published figure.
NOT_CALIBRATED = "not calibrated: synthetic answers, not a published figure"


def render_summary_text(summary: Summary) -> str:
    """Labels as the HTML shows them; counts and percentages in one column each, aligned
    across every item."""
    rows = {
        it.id: [
            (summary.items[it.id].labels.get(c, c), k)
            for c, k in summary.items[it.id].counts.items()
        ]
        for it in ITEMS
    }
    width = min(max((len(label) for r in rows.values() for label, _ in r), default=10), 60)
    out = [
        f"Survey summary: {summary.n} responses"
        + (f" of {summary.invited} invited ({summary.response_rate}%)" if summary.invited else "")
    ]
    if summary.excluded:
        out.append(f"({summary.excluded} responses with errors are not counted below)")
    if summary.not_calibrated:
        out.append(f"Items marked [{NOT_CALIBRATED}]: {len(summary.not_calibrated)}")
    section = ""
    for it in ITEMS:
        s = summary.items[it.id]
        if it.section != section:
            section = it.section
            out += ["", section]
        mark = f" [{NOT_CALIBRATED}]" if summary.calibrated(it.id) is False else ""
        out.append(f"{it.id}: {it.label} (answered {s.answered}){mark}")
        for (label, count), code in zip(rows[it.id], s.counts, strict=True):
            shown = label if len(label) <= width else label[: width - 1] + "…"
            out.append(f"  {shown:<{width}} {count:>5} {s.percent[code]:>4.0f}%")
    return "\n".join(out) + "\n"


def render_summary_html(summary: Summary, charts_dir: Path | None = None) -> str:
    from registry.version import __version__

    charts = {
        name: base64.b64encode(png).decode("ascii")
        for name, png in render_charts(summary, charts_dir).items()
    }
    sections: dict[str, list] = {}
    for it in ITEMS:
        sections.setdefault(it.section, []).append((it, summary.items[it.id]))
    return template("survey_summary.html.j2").render(
        s=summary,
        sections=sections,
        charts=charts,
        version=__version__,
        by_labels=_by_labels(),
        not_calibrated=NOT_CALIBRATED,
        chart_uncalibrated={
            name: [i for i in items if summary.calibrated(i) is False]
            for name, items in CHART_ITEMS.items()
        },
    )


def _by_labels() -> dict[str, dict[str, str]]:
    return {it.id: {m.value: m.label for m in it.codes} for it in ITEMS if it.codes is not None}
