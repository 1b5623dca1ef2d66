"""Commands that exchange files with other systems: exports, REDCap import, database
migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.application import (
    DbOption,
    OutDir,
    console,
    db_app,
    err_console,
    export_app,
    fail,
    failing_as_usage,
    import_app,
    shown_url,
)


@export_app.command("schemas")
def export_schemas(out: OutDir) -> None:
    """JSON Schemas, data dictionary, REDCap dictionaries, datapackage.json and the intake
    service's OpenAPI description.

    Example: vte-registry export schemas schemas
    """
    from registry.export import write_schemas
    from registry.intake.openapi import OPENAPI_FILE, write_openapi

    with failing_as_usage(out):
        written = write_schemas(out)
        written.append(write_openapi(out / OPENAPI_FILE))
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
    from registry.validation.inputs import UnusableInput
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
    from registry.validation.inputs import UnusableInput
    from registry.validation.validate import SubmissionHasErrors

    try:
        with failing_as_usage(out):
            written, findings = export_redcap_records(submission, out)
    except SubmissionHasErrors as exc:
        raise fail(str(exc), 1, "not exported:") from None
    except UnusableInput as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {written} REDCap rows to {out}", highlight=False)
    if findings:
        for f in findings[:20]:
            err_console.print(f"{f.rule}: {f.message}", highlight=False)
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    db: DbOption = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "head"
) -> None:
    """Create or migrate the registry schema (Alembic) to the newest revision.

    Example: vte-registry db upgrade --db sqlite:///vte_registry.sqlite
    """
    from registry.database.store import database_url, make_engine, upgrade

    url = database_url(db)
    with failing_as_usage(url, url):
        engine = make_engine(url)
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
    console.print(f"{shown_url(url)} is at revision {revision}", highlight=False)


@export_app.command("samples")
def export_samples(out: OutDir) -> None:
    """The small sample submission and survey export kept in synthetic/ (OUT = synthetic).

    Example: vte-registry export samples synthetic
    """
    from registry.synthetic import write_samples

    with failing_as_usage(out):
        written = write_samples(out)
    console.print(f"wrote {len(written)} files under {out}", highlight=False)


@export_app.command("fhir")
def export_fhir_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="SUBMISSION OUT, or OUT alone with --db: the submission folder (or .zip) "
            "and the folder for the NDJSON files.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
) -> None:
    """FHIR R4 resources as NDJSON, one file per resource type (the Bulk Data layout).

    Example: vte-registry export fhir submission fhir-out
    Example: vte-registry export fhir --db sqlite:///vte_registry.sqlite fhir-out
    """
    from registry.database.store import database_url
    from registry.fhir import FhirRefused, export_fhir
    from registry.validation.inputs import UnusableInput
    from registry.validation.validate import SubmissionHasErrors

    if db is None and len(paths) != 2:
        raise fail("give SUBMISSION OUT, or --db URL OUT")
    if db is not None and len(paths) != 1:
        raise fail("with --db give only OUT (the registry database is the source)")
    out = paths[-1]
    url = database_url(db) if db is not None else None
    try:
        with failing_as_usage(out, url):
            result = export_fhir(out, submission=paths[0] if db is None else None, url=url)
    except SubmissionHasErrors as exc:
        raise fail(str(exc), 1, "not exported:") from None
    except (FhirRefused, UnusableInput) as exc:
        raise fail(str(exc)) from None
    total = sum(result.counts.values())
    console.print(
        f"wrote {total:,} resources in {len(result.counts)} files to {out} "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.counts.items()))}) "
        f"in {result.seconds:.1f} s",
        highlight=False,
    )
