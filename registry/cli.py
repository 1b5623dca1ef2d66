"""The ``vte-registry`` command line (typer). Heavy imports happen inside the commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from registry.version import SCHEMA_VERSION, __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="vte-registry",
    help="ALL-VTE registry: generate synthetic submissions, validate, load and export schemas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write the published contracts generated from the models.",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")

console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"vte-registry {__version__} (registry schema {SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the package and schema versions and exit.")
    ] = False,
) -> None:
    """ALL-VTE registry tools."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line reason and return the Exit to raise (2 = unusable input or usage)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


OutDir = Annotated[Path, typer.Argument(help="Folder to write into (created if missing).",
                                        file_okay=False)]


@export_app.command("schemas")
def export_schemas(out: OutDir) -> None:
    """JSON Schemas, data dictionary, REDCap dictionaries and datapackage.json."""
    from registry.export import write_schemas

    try:
        written = write_schemas(out)
    except OSError as exc:
        raise fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    console.print(f"wrote {len(written)} files to {out}")


@export_app.command("redcap")
def export_redcap(out: OutDir) -> None:
    """REDCap data dictionaries (registry CRF and survey) and the repeating-instruments list."""
    from registry.export.redcap import write_redcap_dictionaries

    try:
        out.mkdir(parents=True, exist_ok=True)
        written = write_redcap_dictionaries(out)
    except OSError as exc:
        raise fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    for path in written:
        console.print(f"wrote {path}")


@export_app.command("frictionless")
def export_frictionless(out: OutDir) -> None:
    """A Frictionless datapackage.json describing a submission folder."""
    from registry.export.frictionless import write_datapackage

    try:
        out.mkdir(parents=True, exist_ok=True)
        path = write_datapackage(out / "datapackage.json")
    except OSError as exc:
        raise fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    console.print(f"wrote {path}")


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


@app.command()
def synth(
    out: OutDir,
    patients: Annotated[int, typer.Option("--patients", "-n", min=1, max=1_000_000,
                                          help="Number of patients.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")]
    = 0,
    profile: Annotated[str, typer.Option(help="Profile name under synthetic/profiles, or a "
                                              "path to a .toml merged over the default.")]
    = "default",
    defects: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share of records to "
                                           "corrupt with known defects (ground truth in "
                                           "defects.json).")] = 0.0,
    fmt: Annotated[FileFormat, typer.Option("--format", help="Table file format.")]
    = FileFormat.csv,
) -> None:
    """Generate a synthetic submission folder (no real patient in it)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from registry.synthetic import ProfileError, synthesize

    progress = Progress("generating", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, disable=not err_console.is_terminal,
                        transient=True)
    try:
        with progress:
            task = progress.add_task("patients", total=patients)
            result = synthesize(out, patients, seed, profile, defects, fmt.value,
                                progress=lambda done: progress.update(task, completed=done))
    except ProfileError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    rows = sum(result.counts.values())
    console.print(f"wrote {patients} patients ({rows} records) to {out}", highlight=False)
    if defects > 0:
        console.print(f"injected {len(result.defects)} defects: {out / 'defects.json'}",
                      highlight=False)


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
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
            "(set VTE_REGISTRY_DEBUG=1 for details and please report it)", highlight=False)
        raise SystemExit(2) from None
