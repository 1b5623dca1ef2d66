"""The provider practice survey's commands: synth, validate, summarize."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.application import (
    OutDir,
    ReportFormat,
    console,
    emit_report,
    err_console,
    fail,
    failing_as_usage,
    survey_app,
    write_output,
)


@survey_app.command("synth")
def survey_synth(
    out: OutDir,
    respondents: Annotated[
        int, typer.Option("--respondents", "-n", min=1, max=100_000, help="Number of respondents.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    profile: Annotated[
        str, typer.Option(help="Survey profile name or .toml path.")
    ] = "survey_2021",
) -> None:
    """Write OUT/survey_responses.csv: synthetic answers calibrated to the 2021 survey.

    Example: vte-registry survey synth out/survey --respondents 154
    """
    from registry.synthetic.profile import ProfileError
    from registry.synthetic.survey import generate_survey, load_survey_profile, write_survey

    try:
        with failing_as_usage(out):
            survey_profile = load_survey_profile(profile)
            rows = generate_survey(respondents, seed, survey_profile)
            path = write_survey(out, rows, survey_profile)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {respondents} survey responses to {path}", highlight=False)


@survey_app.command("validate")
def survey_validate(
    path: Annotated[
        Path,
        typer.Argument(
            help="Survey export CSV (this package's or "
            "REDCap's), or a folder holding "
            "survey_responses.csv."
        ),
    ],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
) -> None:
    """Validate survey responses: exit 0 without errors, 1 with errors, 2 if unusable.

    Example: vte-registry survey validate survey_responses.csv --format json
    """
    from registry.survey import validate_survey
    from registry.validation.inputs import UnusableInput

    try:
        report = validate_survey(path)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    emit_report(report, fmt, output)
    raise typer.Exit(0 if report.ok else 1)


@survey_app.command("summarize")
def survey_summarize(
    path: Annotated[Path, typer.Argument(help="Survey export CSV or folder.")],
    invited: Annotated[
        int | None, typer.Option(min=1, help="Number invited: adds the response rate.")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (HTML: the charts go beside it as PNG)."
        ),
    ] = None,
) -> None:
    """Counts and percentages per item, cross-tabulations, and charts of practice variation.

    Example: vte-registry survey summarize responses.csv --invited 400 -f html -o summary.html
    """
    from registry.survey import summarize
    from registry.survey.report import render_summary_html, render_summary_text
    from registry.validation.inputs import UnusableInput

    try:
        summary, report = summarize(path, invited)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    if fmt == ReportFormat.json:
        text = json.dumps(summary.to_dict(), indent=2) + "\n"
    elif fmt == ReportFormat.html:
        charts = output.with_name(output.stem + "_charts") if output else None
        text = render_summary_html(summary, charts)
    else:
        text = render_summary_text(summary)
    if report.errors:
        err_console.print(
            f"note: {report.errors} error findings; responses with errors are "
            "left out of the counts (see `vte-registry survey validate`)",
            highlight=False,
        )
    if output is None:
        sys.stdout.write(text)
        return
    write_output(output, text, "summary")
