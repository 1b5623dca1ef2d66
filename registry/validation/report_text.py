"""The report on a terminal: summary first, then the top findings of each rule (rich)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from registry.validation.report import Report
from registry.visible import visible

__all__ = ["print_report", "render_text"]

TOP_PER_RULE = 5
#: Width of the text written to a file or pipe: wide enough that IDs are never folded.
FILE_WIDTH = 240
_STYLE = {"error": "bold red", "warning": "yellow"}


def _summary(report: Report) -> Panel:
    verdict = Text("PASSED", style="bold green") if report.ok else Text("FAILED", style="bold red")
    line = Text.assemble(
        verdict,
        f"  {report.errors} errors, {report.warnings} warnings, {len(report.rules())} rules failed",
    )
    # every value from the submission, control characters made visible (registry.visible)
    where = Text(f"{report.kind}: {visible(report.source)}")
    if report.site_id or report.submission_id:
        site, submission = visible(report.site_id or "?"), visible(report.submission_id or "?")
        where.append(f"\nsite {site}   submission {submission}")
    if report.schema_version:
        where.append(f"\nread as registry schema {report.schema_version}")
    if report.not_submitted:
        where.append(
            f"\nnot submitted (no file; not the same as no rows): {', '.join(report.not_submitted)}"
        )
    counts = Text(
        "rows: " + ", ".join(f"{visible(name)} {n}" for name, n in report.tables.items()),
        style="dim",
    )
    return Panel(Group(line, where, counts), title="validation report", expand=False)


def _rules_table(report: Report) -> Table:
    table = Table(title="rules failed", show_lines=False, title_justify="left")
    for column in ("rule", "severity", "category", "findings", "what it checks"):
        table.add_column(column, overflow="fold", no_wrap=column == "rule")
    for r in report.rules():
        table.add_row(
            r.rule,
            Text(r.severity, style=_STYLE[r.severity]),
            r.category,
            str(r.count),
            Text(r.title),
        )
    return table


def _top_findings(report: Report) -> list[Table]:
    out = []
    for r in report.rules():
        rows = report.by_rule(r.rule)
        table = Table(
            title=f"{r.rule} ({r.severity}): first {min(TOP_PER_RULE, len(rows))} of {len(rows)}",
            title_justify="left",
            title_style=_STYLE[r.severity],
        )
        for column in ("table", "row", "record", "field", "value", "message"):
            # IDs stay whole (a data manager searches for them); the rest may fold.
            table.add_column(
                column, overflow="fold", no_wrap=column in ("table", "row", "record", "field")
            )
        for f in rows[:TOP_PER_RULE]:
            # Text, never markup, its control characters made visible: every value here
            # comes from the submission.
            table.add_row(
                *(
                    Text(visible(v))
                    for v in (
                        f.table or "",
                        "" if f.row is None else str(f.row),
                        f.record_id or "",
                        f.field or "",
                        f.value or "",
                        f.message,
                    )
                )
            )
        out.append(table)
    return out


def print_report(report: Report, console: Console) -> None:
    console.print(_summary(report))
    if report.findings:
        console.print(_rules_table(report))
        for table in _top_findings(report):
            console.print(table)
        console.print(
            Text(
                f"Shown: at most the first {TOP_PER_RULE} findings of each rule. "
                "The JSON and HTML reports (--format json|html) carry every "
                "finding."
            )
        )


def render_text(report: Report, width: int = FILE_WIDTH) -> str:
    """The same report as plain text (no colour, no markup), e.g. for a file or a pipe."""
    console = Console(
        width=width, record=True, color_system=None, force_terminal=False, markup=False
    )
    with console.capture() as capture:
        print_report(report, console)
    return capture.get()
