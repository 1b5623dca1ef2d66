"""The report as one self-contained HTML page (no scripts, fonts or files from elsewhere):
summary and categories first, then each failed rule with its first rows."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, Template, select_autoescape

from registry.validation.report import Report

__all__ = ["ROWS_PER_RULE", "render_html"]

ROWS_PER_RULE = 20

_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "report.html.j2"


@cache
def _template() -> Template:
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)
    return env.from_string(_TEMPLATE.read_text(encoding="utf-8"))


def render_html(report: Report, limit: int = ROWS_PER_RULE) -> str:
    from registry.version import __version__

    rules = report.rules()
    return _template().render(
        r=report,
        verdict="passed" if report.ok else "failed",
        rules=rules,
        categories=report.by_category(),
        findings={rule.rule: report.by_rule(rule.rule)[:limit] for rule in rules},
        limit=limit,
        total_rows=sum(report.tables.values()),
        version=__version__,
    )
