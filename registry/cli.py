"""The ``vte-registry`` command line (typer). Heavy imports happen inside the commands."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from registry.version import SCHEMA_VERSION, __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="vte-registry",
    help="ALL-VTE registry: generate synthetic submissions, validate, load and export schemas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(
    help="Write the published contracts generated from the models.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
survey_app = typer.Typer(
    help="The provider practice survey: synthetic responses, validation and summaries.",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")

# Markup off: every value printed may come from a submission (a cell holding "[/]" would be
# read as markup and crash); styles are given as Text styles instead.
# soft_wrap: a message is never folded inside an ID or a path when piped.
console = Console(markup=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"vte-registry {__version__} (registry schema {SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the package and schema versions and exit.",
        ),
    ] = False,
) -> None:
    """ALL-VTE registry tools."""


def fail(message: str, code: int = 2, label: str = "error:") -> typer.Exit:
    """Print a one-line reason and return the Exit to raise (2 = unusable input or usage)."""
    err_console.print(
        Text.assemble((label, "bold red"), " ", message), highlight=False, soft_wrap=True
    )  # one line, whatever the terminal's width
    return typer.Exit(code)


@contextmanager
def failing_as_usage(where: Path | str, db_url: str | None = None) -> Iterator[None]:
    """Turn the errors a user can cause (a folder that cannot be written, a database that
    cannot be reached, opened or used) into a one-line message and exit code 2."""
    from registry.store import DatabaseUnusable, explain_database_error

    try:
        yield
    except OSError as exc:
        raise fail(f"cannot write to {where}: {exc.strerror or exc}") from None
    except DatabaseUnusable as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        message = explain_database_error(exc, db_url or "")
        if message is None:
            raise
        raise fail(message) from None


def _write_output(output: Path, text: str, what: str) -> None:
    with failing_as_usage(output):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    err_console.print(f"{what} written to {output}", highlight=False)


OutDir = Annotated[
    Path, typer.Argument(help="Folder to write into (created if missing).", file_okay=False)
]


@export_app.command("schemas")
def export_schemas(out: OutDir) -> None:
    """JSON Schemas, data dictionary, REDCap dictionaries and datapackage.json.

    Example: vte-registry export schemas schemas
    """
    from registry.export import write_schemas

    with failing_as_usage(out):
        written = write_schemas(out)
    console.print(f"wrote {len(written)} files to {out}")


@export_app.command("expectations")
def export_expectations(out: OutDir) -> None:
    """The Great Expectations suites built from the rule catalogue (OUT = expectations).

    Example: vte-registry export expectations expectations
    """
    from registry.validation.catalogue import write_suites

    with failing_as_usage(out):
        written = write_suites(out)
    console.print(f"wrote {len(written)} suites to {out}", highlight=False)


@export_app.command("redcap")
def export_redcap(out: OutDir) -> None:
    """REDCap data dictionaries (registry CRF and survey) and the repeating-instruments list.

    Example: vte-registry export redcap out/redcap
    """
    from registry.export.redcap import write_redcap_dictionaries

    with failing_as_usage(out):
        out.mkdir(parents=True, exist_ok=True)
        written = write_redcap_dictionaries(out)
    for path in written:
        console.print(f"wrote {path}")


@export_app.command("frictionless")
def export_frictionless(out: OutDir) -> None:
    """A Frictionless datapackage.json describing a submission folder.

    Example: vte-registry export frictionless out
    """
    from registry.export.frictionless import write_datapackage

    with failing_as_usage(out):
        out.mkdir(parents=True, exist_ok=True)
        path = write_datapackage(out / "datapackage.json")
    console.print(f"wrote {path}")


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $VTE_REGISTRY_DB, else ./vte_registry.sqlite), e.g. "
        "postgresql+psycopg://user@host:5432/registry",
    ),
]


def _progress(console_: Console) -> Any:
    """A status line on a terminal; nothing when output is piped."""
    if not console_.is_terminal:
        return None, None
    status = console_.status("starting")
    return status, lambda message: status.update(message)


def _emit_report(report: Any, fmt: ReportFormat, output: Path | None) -> None:
    from registry.validation.report_html import render_html
    from registry.validation.report_text import print_report, render_text

    if fmt == ReportFormat.json:
        text = json.dumps(report.to_dict(), indent=2) + "\n"
    elif fmt == ReportFormat.html:
        text = render_html(report)
    else:
        if output is None and console.is_terminal:
            print_report(report, console)
            return
        text = render_text(report)
    if output is None:
        sys.stdout.write(text)
        return
    _write_output(output, text, "report")


@app.command()
def validate(
    path: Annotated[Path | None, typer.Argument(help="Submission folder or .zip of one.")] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file instead of the terminal."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Validate the registry database at this URL instead (all sites; the "
            "suites run inside PostgreSQL).",
        ),
    ] = None,
) -> None:
    """Validate a submission, or with --db the registry database (exit 0: no errors, 1: errors, 2: unusable).

    Example: vte-registry validate site-submission.zip --format html --output report.html
    """  # noqa: E501
    from registry.validation.reading import UnusableInput

    if (path is None) == (db is None):
        raise fail("give a submission PATH or --db URL (one of them)")
    status, say = _progress(err_console)
    try:
        with failing_as_usage(path or "", db):
            report = _validate(path, db, status, say)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    _emit_report(report, fmt, output)
    raise typer.Exit(0 if report.ok else 1)


def _validate(path: Path | None, db: str | None, status: Any, say: Any) -> Any:
    from registry.validation.validate import validate_submission

    if db is not None:
        from registry.central import validate_database

        return validate_database(db)
    if status is not None:
        with status:
            return validate_submission(path, progress=say)  # type: ignore[arg-type]
    return validate_submission(path)  # type: ignore[arg-type]


@app.command()
def load(
    path: Annotated[Path, typer.Argument(help="Submission folder or .zip of one.")],
    db: DbOption = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the validation report (HTML) to this file."),
    ] = None,
    allow_removal: Annotated[
        bool,
        typer.Option(
            "--allow-removal",
            help="Let a newer submission remove records of its site that it "
            "no longer holds (without it such a load is refused, exit 1).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Validate and show what the load would add, change and remove; write nothing.",
        ),
    ] = False,
) -> None:
    """Validate, then load into the database in one transaction (all or nothing).

    A newer submission of a site replaces the site's records; one that would remove records
    needs --allow-removal. Exit 0 loaded (or unchanged), 1 errors or refused, 2 unusable.

    Example: vte-registry load site-submission.zip --dry-run
    """
    from registry.loading import LoadError, LoadRefused, load_submission
    from registry.store import database_url
    from registry.validation.reading import UnusableInput
    from registry.validation.report_html import render_html
    from registry.validation.report_text import print_report

    url = database_url(db)
    status, say = _progress(err_console)
    try:
        with failing_as_usage(path, url):
            if status is not None:
                with status:
                    result = load_submission(
                        path, url, progress=say, allow_removal=allow_removal, dry_run=dry_run
                    )
            else:
                result = load_submission(path, url, allow_removal=allow_removal, dry_run=dry_run)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    except LoadRefused as exc:
        console.print(_changes_table(exc.changes))
        raise fail(str(exc), 1, "not loaded:") from None
    except LoadError as exc:
        raise fail(str(exc), 1, "not loaded:") from None
    if report_file is not None:
        _write_output(report_file, render_html(result.report), "report")
    if result.outcome == "rejected":
        print_report(result.report, console)
        raise fail(result.message, 1, "not loaded:")
    if result.changes is not None and (dry_run or result.changes.removes):
        console.print(_changes_table(result.changes))
    where = "" if result.outcome in ("unchanged", "dry-run") else f" into {_safe_url(url)}"
    console.print(f"{result.message}{where}", highlight=False)


def _changes_table(changes: Any) -> Any:
    from rich.table import Table

    table = Table(title="what the load changes, by table", title_justify="left")
    table.add_column("table")
    for kind in ("added", "changed", "unchanged", "removed"):
        table.add_column(kind, justify="right")
    for name, counts in changes.tables.items():
        table.add_row(name, *(f"{v:,}" for v in counts.to_dict().values()))
    return table


def _safe_url(url: str) -> str:
    from registry.store import safe_url

    return safe_url(url)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo submission and reports.")] = Path(
        "vte-registry-demo"
    ),
    patients: Annotated[
        int, typer.Option(min=1, max=100_000, help="Number of synthetic patients.")
    ] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
    db: DbOption = None,
) -> None:
    """Generate a synthetic submission, validate it, load it, and show where the report is.

    Example: vte-registry demo --patients 300 --seed 7
    """
    from registry.loading import load_submission
    from registry.store import database_url
    from registry.synthetic import synthesize
    from registry.validation.report_html import render_html
    from registry.validation.report_text import print_report, render_text

    submission = out / "submission"
    url = database_url(db)
    with failing_as_usage(out, url):
        if submission.exists():
            shutil.rmtree(submission)
        result = synthesize(submission, patients, seed)
        console.print(
            f"1. generated {patients} synthetic patients "
            f"({sum(result.counts.values())} records) in {submission}",
            highlight=False,
        )
        loaded = load_submission(submission, url)
        report = loaded.report
        html = out / "report.html"
        html.write_text(render_html(report), encoding="utf-8")
        (out / "report.json").write_text(
            json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8"
        )
    console.print(
        f"2. validated: {report.errors} errors, {report.warnings} warnings "
        f"({report.seconds:.1f} s)",
        highlight=False,
    )
    console.print(f"3. {loaded.message} into {_safe_url(url)}", highlight=False)
    if console.is_terminal:
        print_report(report, console)
    else:  # a file or a pipe: wide enough that IDs are never folded
        sys.stdout.write(render_text(report))
    console.print(f"HTML report: {html.resolve()}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


@app.command()
def synth(
    out: OutDir,
    patients: Annotated[
        int, typer.Option("--patients", "-n", min=1, max=1_000_000, help="Number of patients.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 0,
    profile: Annotated[
        str,
        typer.Option(
            help="Profile name under synthetic/profiles, or a "
            "path to a .toml merged over the default."
        ),
    ] = "default",
    defects: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of records to corrupt with known defects (ground truth in defects.json).",
        ),
    ] = 0.0,
    fmt: Annotated[
        FileFormat, typer.Option("--format", help="Table file format.")
    ] = FileFormat.csv,
    site: Annotated[
        str | None,
        typer.Option(help="Site ID instead of the profile's (3-8 upper-case letters or digits)."),
    ] = None,
) -> None:
    """Generate a synthetic submission folder (no real patient in it).

    Example: vte-registry synth out/submission --patients 1000 --seed 7 --defects 0.02
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from registry.synthetic import ProfileError, synthesize

    progress = Progress(
        "generating",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=True,
    )
    try:
        with failing_as_usage(out), progress:
            task = progress.add_task("patients", total=patients)
            result = synthesize(
                out,
                patients,
                seed,
                profile,
                defects,
                fmt.value,
                progress=lambda done: progress.update(task, completed=done),
                site=site,
            )
    except ProfileError as exc:
        raise fail(str(exc)) from None
    rows = sum(result.counts.values())
    console.print(f"wrote {patients} patients ({rows} records) to {out}", highlight=False)
    if defects > 0:
        share = len(result.defects) / max(rows, 1)
        console.print(
            f"injected {len(result.defects)} defects into {rows} records: "
            f"{share:.2%} of records (asked for {defects:.2%}"
            f"{'; at most one per patient, so fewer' if share < defects * 0.9 else ''}"
            f"); ground truth: {out / 'defects.json'}",
            highlight=False,
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
            path = write_survey(
                out, generate_survey(respondents, seed, load_survey_profile(profile))
            )
    except ProfileError as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {respondents} survey responses to {path}", highlight=False)


import_app = typer.Typer(help="Bring data in from other systems.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("redcap")
def import_redcap_command(
    export: Annotated[
        Path,
        typer.Argument(
            help="REDCap flat export (CSV) of the registry project: raw or label headers."
        ),
    ],
    out: OutDir,
    site: Annotated[
        str | None, typer.Option(help="Site ID for the manifest (default: from the records).")
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(help="Data cutoff date YYYY-MM-DD for the manifest (default: today)."),
    ] = None,
) -> None:
    """Turn a REDCap export into a submission folder; what cannot be mapped is reported.

    Example: vte-registry import redcap export.csv out/submission --site NYC01 --cutoff 2026-06-30
    """
    import datetime as dt

    from registry.redcap_records import import_redcap
    from registry.validation.reading import UnusableInput
    from registry.validation.report import Report
    from registry.validation.report_text import print_report

    try:
        day = dt.date.fromisoformat(cutoff) if cutoff else None
    except ValueError:
        raise fail(f"--cutoff {cutoff!r} is not a date YYYY-MM-DD") from None
    if not export.is_file():
        raise fail(f"{export} does not exist")
    try:
        result = import_redcap(export, out, site, day)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {sum(result.counts.values())} records to {out}", highlight=False)
    if result.findings:
        print_report(
            Report(str(export), site, None, result.counts, result.findings, kind="REDCap import"),
            console,
        )
        raise typer.Exit(1)


@export_app.command("redcap-records")
def export_redcap_records_command(
    submission: Annotated[Path, typer.Argument(help="Submission folder or .zip.")],
    out: Annotated[Path, typer.Argument(help="CSV file to write (REDCap import format).")],
) -> None:
    """Write a submission as records a REDCap project can import (raw values).

    Example: vte-registry export redcap-records out/submission records.csv
    """
    from registry.redcap_records import export_redcap_records
    from registry.validation.reading import UnusableInput

    try:
        written, findings = export_redcap_records(submission, out)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {written} REDCap rows to {out}", highlight=False)
    if findings:
        for f in findings[:20]:
            err_console.print(f"{f.rule}: {f.message}", highlight=False)
        raise typer.Exit(1)


db_app = typer.Typer(help="The registry database: schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    db: DbOption = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "head"
) -> None:
    """Create or migrate the registry schema (Alembic) to the newest revision.

    Example: vte-registry db upgrade --db sqlite:///vte_registry.sqlite
    """
    from registry.store import database_url, make_engine, upgrade

    url = database_url(db)
    with failing_as_usage(url, url):
        engine = make_engine(url)
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
    console.print(f"{_safe_url(url)} is at revision {revision}", highlight=False)


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
    from registry.validation.reading import UnusableInput

    try:
        report = validate_survey(path)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    _emit_report(report, fmt, output)
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
    from registry.validation.reading import UnusableInput

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
    _write_output(output, text, "summary")


@export_app.command("samples")
def export_samples(out: OutDir) -> None:
    """The small sample submission and survey export kept in synthetic/ (OUT = synthetic).

    Example: vte-registry export samples synthetic
    """
    from registry.synthetic import write_samples

    with failing_as_usage(out):
        written = write_samples(out)
    console.print(f"wrote {len(written)} files under {out}", highlight=False)


def main() -> None:
    """Entry point: a bug is reported in one line, not a traceback (VTE_REGISTRY_DEBUG=1
    shows it)."""
    import os

    try:
        app()
    except Exception as exc:
        if os.environ.get("VTE_REGISTRY_DEBUG") == "1":
            raise
        err_console.print(
            Text.assemble(
                ("internal error:", "bold red"),
                f" {type(exc).__name__}: {exc} "
                "(set VTE_REGISTRY_DEBUG=1 for details and please report it)",
            ),
            highlight=False,
        )
        raise SystemExit(2) from None
