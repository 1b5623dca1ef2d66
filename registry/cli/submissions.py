"""Commands on submissions: validate, load, demo and synth."""

from __future__ import annotations

import json
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.application import (
    DbOption,
    OutDir,
    ReportFormat,
    app,
    console,
    emit_report,
    err_console,
    fail,
    failing_as_usage,
    progress,
    shown_url,
    write_output,
)


class RuleEngine(StrEnum):
    sql = "sql"
    gx = "gx"


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
            "checks run inside PostgreSQL).",
        ),
    ] = None,
    engine: Annotated[
        RuleEngine,
        typer.Option(
            "--engine",
            help="What runs the rule catalogue: its SQL directly (sql), or its published "
            "Great Expectations suites through GX (gx; slower, same findings).",
        ),
    ] = RuleEngine.sql,
) -> None:
    """Validate a submission, or with --db the registry database (exit 0: no errors, 1: errors, 2: unusable).

    Example: vte-registry validate site-submission.zip --format html --output report.html
    """  # noqa: E501 (typer shows the first line whole as the command's summary)
    from registry.validation.inputs import UnusableInput, submission_kind

    if (path is None) == (db is None):
        raise fail("give a submission PATH or --db URL (one of them)")
    status, say = progress(err_console)
    try:
        if path is not None:
            submission_kind(path)  # at once, before the validator is imported
        with failing_as_usage(path or "", db):
            report = _validate(path, db, engine, status, say)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    emit_report(report, fmt, output)
    raise typer.Exit(0 if report.ok else 1)


def _validate(path: Path | None, db: str | None, engine: RuleEngine, status: Any, say: Any) -> Any:
    from registry.validation.validate import validate_submission

    if db is not None:
        from registry.database.central import validate_database

        return validate_database(db, engine.value)
    assert path is not None  # the command requires PATH or --db, exactly one
    if status is not None:
        with status:
            return validate_submission(path, progress=say, engine=engine.value)
    return validate_submission(path, engine=engine.value)


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
    from registry.validation.inputs import UnusableInput, submission_kind

    try:
        submission_kind(path)  # at once, before the loader is imported
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    from registry.database.loading import LoadError, LoadRefused, load_submission
    from registry.database.store import database_url
    from registry.validation.report_html import render_html
    from registry.validation.report_text import print_report

    url = database_url(db)
    status, say = progress(err_console)
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
        write_output(report_file, render_html(result.report), "report")
    if result.outcome == "rejected":
        print_report(result.report, console)
        raise fail(result.message, 1, "not loaded:")
    if result.changes is not None and (dry_run or result.changes.removes):
        console.print(_changes_table(result.changes))
    where = "" if result.outcome in ("unchanged", "dry-run") else f" into {shown_url(url)}"
    console.print(f"{result.message}{where}", highlight=False)


def _changes_table(changes: Any) -> Any:
    from rich.table import Table

    table = Table(title="what the load changes, by table", title_justify="left")
    table.add_column("table")
    kinds = ("added", "changed", "unchanged", "removed", "kept")
    for kind in kinds:
        table.add_column(kind, justify="right")
    table.add_column("values emptied")
    for name, counts in changes.tables.items():
        emptied = ", ".join(f"{f} {n:,}" for f, n in sorted(counts.emptied.items()))
        table.add_row(name, *(f"{getattr(counts, k):,}" for k in kinds), emptied)
    return table


@app.command()
def manifest(
    path: Annotated[Path, typer.Argument(help="Folder of table files (<table>.csv or .parquet).")],
    site: Annotated[
        str | None, typer.Option("--site", help="Submitting site_id (3-8 upper-case letters).")
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option("--cutoff", help="Data cutoff date, YYYY-MM-DD: data complete up to it."),
    ] = None,
    submission_id: Annotated[
        str | None,
        typer.Option("--submission-id", help="A UUID for the submission (default: a new one)."),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Rewrite the inventory of the folder's manifest after its files changed "
            "(keeps site, cutoff and generator; a new submission_id).",
        ),
    ] = False,
) -> None:
    """Write manifest.json (schema 1.1) for a folder of table files: inventory, submission_id, created_at.

    Refused in one line (exit 2) for a folder with no table file, an unknown file, two files
    of one table or a file that cannot be read.

    Example: vte-registry manifest site-export --site NYC01 --cutoff 2026-11-30
    """  # noqa: E501 (typer shows the first line whole as the command's summary)
    from registry.validation.inputs import UnusableInput
    from registry.validation.manifests import make_manifest, refresh_manifest

    if refresh and (site or cutoff or submission_id):
        raise fail("--refresh keeps the manifest's site and cutoff: give neither with it")
    if not refresh and not (site and cutoff):
        raise fail("give --site and --cutoff (or --refresh for a folder that has a manifest)")
    try:
        with failing_as_usage(path):
            if refresh:
                written = refresh_manifest(path)
            else:
                assert site is not None and cutoff is not None
                written = make_manifest(path, site, cutoff, submission_id)
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    tables = written.manifest.tables or {}
    rows = sum(entry.rows for entry in tables.values())
    console.print(
        f"manifest written to {written.path}: {len(tables)} tables, {rows:,} rows "
        f"(site {written.manifest.site_id}, submission {written.manifest.submission_id})",
        highlight=False,
    )
    if refresh:
        changed = ", ".join(written.changed) or "none"
        console.print(f"tables changed since the manifest before: {changed}", highlight=False)


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
    from registry.database.loading import load_submission
    from registry.database.store import database_url
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
        f"({report.seconds:.1f} s); the report:",
        highlight=False,
    )
    if console.is_terminal:
        print_report(report, console)
    else:  # a file or a pipe: wide enough that IDs are never folded
        sys.stdout.write(render_text(report))
    where = "in" if loaded.outcome in ("unchanged", "rejected") else "into"
    console.print(f"3. {loaded.message} ({where} {shown_url(url)})", highlight=False)
    if loaded.outcome in ("loaded", "replaced", "unchanged"):
        from registry.report import build_center_report
        from registry.report import render_html as render_registry

        with failing_as_usage(out, url):
            center = build_center_report(url)
            (out / "registry.html").write_text(render_registry(center), encoding="utf-8")
        console.print(
            f"4. registry report (every site in the database): {(out / 'registry.html').resolve()}",
            highlight=False,
        )
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
