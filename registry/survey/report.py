"""The survey summary as text (the paper's form, e.g. ``hematology 76 (52%)``), JSON, and a
self-contained HTML page with the charts embedded."""

from __future__ import annotations

import base64
from pathlib import Path

from registry.models.survey import ITEMS
from registry.survey.charts import render_charts
from registry.survey.summary import Summary
from registry.templates import template

__all__ = ["render_summary_html", "render_summary_text"]


def _line(code_label: str, count: int, percent: float) -> str:
    return f"  {code_label} {count} ({percent:.0f}%)"


def render_summary_text(summary: Summary) -> str:
    out = [
        f"Survey summary: {summary.n} responses"
        + (f" of {summary.invited} invited ({summary.response_rate}%)" if summary.invited else "")
    ]
    if summary.excluded:
        out.append(f"({summary.excluded} responses with errors are not counted below)")
    section = ""
    for it in ITEMS:
        s = summary.items[it.id]
        if it.section != section:
            section = it.section
            out += ["", section]
        out.append(f"{it.id}: {it.label} (answered {s.answered})")
        if it.kind in ("single", "multi"):
            out += [_line(code, s.counts[code], s.percent[code]) for code in s.counts]
        elif s.answered:
            out += [_line(code, k, s.percent[code]) for code, k in s.counts.items()]
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
        s=summary, sections=sections, charts=charts, version=__version__, by_labels=_by_labels()
    )


def _by_labels() -> dict[str, dict[str, str]]:
    return {it.id: {m.value: m.label for m in it.codes} for it in ITEMS if it.codes is not None}
