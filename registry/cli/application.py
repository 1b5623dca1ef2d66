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
from registry.visible import visible

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


class Command(typer.core.TyperCommand):
    """A command whose help reads as a data manager expects: arguments in capitals in the
    usage line (``PATH``, not ``{path}``), and no type shown for a flag (``--dry-run``, not
    ``--dry-run <bool>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _no_flag_type(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _no_flag_type(option)
        return option

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.display_name_raw.upper() + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def _no_flag_type(param: Any) -> None:
    if getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""


class Group(typer.core.TyperGroup):
    """A group of commands, its own flags shown as a ``Command``'s are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _no_flag_type(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _no_flag_type(option)
        return option


class Typer(typer.Typer):
    """The package's typer application: every command is a ``Command``, every group a
    ``Group``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)


app = Typer(
    name="vte-registry",
    help="ALL-VTE registry: generate synthetic submissions, validate, load and export schemas."
    "\n\nExample: vte-registry demo (a synthetic submission generated, validated, loaded and "
    "reported on); vte-registry validate site-submission.zip",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = Typer(
    help="Write the published contracts generated from the models, or a submission in "
    "another format.\n\nExample: vte-registry export schemas schemas",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")
survey_app = Typer(
    help="The provider practice survey: synthetic responses, validation and summaries."
    "\n\nExample: vte-registry survey summarize responses.csv --invited 400",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")


# Markup off: every value printed may come from a submission (a cell holding "[/]" would be
# read as markup and crash); styles are given as Text styles instead.
# soft_wrap: a message is never folded inside an ID or a path when piped.
class _Console(Console):
    """A console whose plain strings are shown with their control characters made visible:
    the lines the commands print name files, IDs and values of a submission."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)


console = _Console(markup=False, soft_wrap=True)
err_console = _Console(stderr=True, markup=False, soft_wrap=True)


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
    """Print a one-line reason and return the Exit to raise (2 = unusable input or usage).
    The message may name a file, an ID or a value of a submission: its control characters
    are made visible (one line, and nothing that drives the terminal). After Ctrl-C the
    failure is the interrupt's: nothing is printed here (the entry point says it)."""
    from registry.cli import was_interrupted

    if was_interrupted():
        return typer.Exit(code)
    err_console.print(
        Text.assemble((label, "bold red"), " ", visible(message)), highlight=False, soft_wrap=True
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


import_app = Typer(
    help="Bring data in from other systems.\n\nExample: vte-registry import redcap "
    "export.csv submission --site NYC01 --cutoff 2026-11-30",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

db_app = Typer(
    help="The registry database: schema migrations.\n\nExample: vte-registry db upgrade "
    "--db sqlite:///vte_registry.sqlite",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def main() -> None:
    """Entry point: a bug is reported in one line, not a traceback (VTE_REGISTRY_DEBUG=1
    shows it). Ctrl-C: ``registry.cli.main``."""
    import os

    from registry.cli import Interrupted, was_interrupted

    try:
        app()
    except Exception as exc:
        if was_interrupted():  # the interrupt, surfacing as another library's error
            raise Interrupted from None
        if os.environ.get("VTE_REGISTRY_DEBUG") == "1":
            raise
        err_console.print(
            Text.assemble(
                ("internal error:", "bold red"),
                f" {type(exc).__name__}: {visible(exc)} "
                "(set VTE_REGISTRY_DEBUG=1 for details and please report it)",
            ),
            highlight=False,
        )
        raise SystemExit(2) from None
