"""``vte-registry report``: the coordinating center's report on the registry database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.application import (
    DbOption,
    ReportFormat,
    app,
    fail,
    failing_as_usage,
    write_output,
)


@app.command()
def report(
    db: DbOption = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Report on one site only (its site_id).")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (default: stdout)."),
    ] = None,
    survey: Annotated[
        Path | None,
        typer.Option(
            "--survey",
            help="A survey summary (`survey summarize --format json`) to set the providers' "
            "answers beside observed practice.",
            dir_okay=False,
        ),
    ] = None,
    min_cell: Annotated[
        int,
        typer.Option(
            "--min-cell",
            min=1,
            help="Counts from 1 to this minus one in per-site tables are shown as '<N'.",
        ),
    ] = 11,
) -> None:
    """What the registry shows about VTE in children with ALL, site by site: enrollment,
    patients, VTE incidence and timing, management (beside the survey), outcomes, data
    quality.

    Example: vte-registry report --format html --output registry.html --survey summary.json
    """
    from registry.database.store import database_url
    from registry.report import (
        ReportRefused,
        SurveyError,
        build_center_report,
        render_html,
        render_json,
        render_text,
    )

    url = database_url(db)
    try:
        with failing_as_usage(output or "stdout", url):
            built = build_center_report(url, site=site, survey=survey, min_cell=min_cell)
    except (ReportRefused, SurveyError) as exc:
        raise fail(str(exc)) from None
    render = {
        ReportFormat.html: render_html,
        ReportFormat.json: render_json,
        ReportFormat.text: render_text,
    }[fmt]
    text = render(built)
    if output is None:
        sys.stdout.write(text)
        return
    write_output(output, text, "registry report")
