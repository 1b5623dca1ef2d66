"""The report as one self-contained HTML page (no scripts, fonts or files from elsewhere):
summary and categories first, then each failed rule with its first rows."""

from __future__ import annotations

from registry.templates import template
from registry.validation.report import Report

__all__ = ["ROWS_PER_RULE", "render_html"]

ROWS_PER_RULE = 20


def render_html(report: Report, limit: int = ROWS_PER_RULE) -> str:
    from registry.version import __version__

    rules = report.rules()
    return template("report.html.j2").render(
        r=report,
        verdict="passed" if report.ok else "failed",
        rules=rules,
        categories=report.by_category(),
        findings={rule.rule: report.by_rule(rule.rule)[:limit] for rule in rules},
        limit=limit,
        total_rows=sum(report.tables.values()),
        version=__version__,
    )
