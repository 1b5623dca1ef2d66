"""The ``vte-registry`` application: its command groups, the consoles, and what every
command shares (one-line failures, report output, options). Heavy imports happen inside
the commands."""

from __future__ import annotations

import json
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

__all__ = [
    "DbOption",
    "OutDir",
    "ReportFormat",
    "app",
    "console",
    "db_app",
    "emit_report",
    "err_console",
    "export_app",
    "fail",
    "failing_as_usage",
    "import_app",
    "main",
    "progress",
    "shown_url",
    "survey_app",
    "write_output",
]

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
    from registry.database.store import DatabaseUnusable, explain_database_error
    from registry.validation.findings import EngineError

    try:
        yield
    except EngineError as exc:
        raise fail(f"the validation could not run: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot write to {where}: {exc.strerror or exc}") from None
    except DatabaseUnusable as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        message = explain_database_error(exc, db_url or "")
        if message is None:
            raise
        raise fail(message) from None


def write_output(output: Path, text: str, what: str) -> None:
    with failing_as_usage(output):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    err_console.print(f"{what} written to {output}", highlight=False)


OutDir = Annotated[
    Path, typer.Argument(help="Folder to write into (created if missing).", file_okay=False)
]


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


def progress(console_: Console) -> Any:
    """A status line on a terminal; nothing when output is piped."""
    if not console_.is_terminal:
        return None, None
    status = console_.status("starting")
    return status, lambda message: status.update(message)


def emit_report(report: Any, fmt: ReportFormat, output: Path | None) -> None:
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
    write_output(output, text, "report")


def shown_url(url: str) -> str:
    """A database URL without its password (the store is imported only when needed)."""
    from registry.database.store import safe_url

    return safe_url(url)


import_app = typer.Typer(help="Bring data in from other systems.", no_args_is_help=True)
app.add_typer(import_app, name="import")

db_app = typer.Typer(help="The registry database: schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def main() -> None:
    """Entry point: a bug is reported in one line, not a traceback (VTE_REGISTRY_DEBUG=1
    shows it). Ctrl-C: ``registry.cli.main``."""
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
