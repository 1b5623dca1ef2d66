"""The ``vte-registry`` command line (typer). Heavy imports happen inside the commands."""

from __future__ import annotations

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


def main() -> None:
    app()
