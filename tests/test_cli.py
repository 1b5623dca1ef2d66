"""The command line as a user meets it: help for every command, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from registry.cli import app
from tests.conftest import REPO, Validated

runner = CliRunner()


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in getattr(group, "commands", {}).items():
        path = (*prefix, name)
        out.append(path)
        out.extend(_commands(command, path))
    return out


ALL_COMMANDS = _commands(typer.main.get_command(app))
assert ALL_COMMANDS, "no commands found: the test would check nothing"


@pytest.mark.parametrize("path", [(), *ALL_COMMANDS], ids=lambda p: " ".join(p) or "top")
def test_every_command_and_group_has_help_that_reads_plainly(path: tuple[str, ...]) -> None:
    """Usage, an example, arguments in capitals (PATH, not {path}), no type after a flag."""
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert "<bool>" not in result.output
    assert "Example: vte-registry" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "schema 1.1" in result.output


def test_export_schemas_writes_what_is_committed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "schemas", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    for path in (REPO / "schemas").glob("*.json"):
        assert (tmp_path / "s" / path.name).read_bytes() == path.read_bytes()


def test_export_into_a_file_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "registry", "export", "redcap", str(blocker / "sub")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot write" in result.stderr


def test_help_does_not_import_great_expectations() -> None:
    code = "import sys; from registry.cli import app; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


_AT_EXIT = (
    "import atexit, sys\n"
    "atexit.register(lambda: print(sorted(m for m in {mods} if m in sys.modules)))\n"
    "sys.argv = ['vte-registry', *{args}]\n"
    "from registry.cli import main\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["validate", "/no/such/path"], ["registry.models", "great_expectations", "pyarrow"]),
        (["load", "/no/such/path"], ["registry.models", "sqlalchemy"]),
        (["validate", "--help"], ["registry.models", "great_expectations"]),
    ],
    ids=["validate", "load", "help"],
)
def test_an_argument_error_answers_before_the_validator_is_imported(
    args: list[str], absent: list[str]
) -> None:
    """A missing path is said at once (well under a second): the models, the database layer
    and Great Expectations are not imported for it. Also: atexit handlers run, exit 2."""
    code = _AT_EXIT.format(mods=absent, args=args)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == (0 if "--help" in args else 2), out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    if "--help" not in args:
        assert out.stderr.strip() == "error: /no/such/path does not exist"


def test_the_default_engine_never_imports_great_expectations(tmp_path: Path) -> None:
    from registry.synthetic import synthesize

    folder = synthesize(tmp_path / "s", 20, seed=3).folder
    code = _AT_EXIT.format(mods=["great_expectations"], args=["validate", str(folder)])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _command(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


LEAF_COMMANDS = [p for p in ALL_COMMANDS if not hasattr(_command(p), "commands")]


@pytest.mark.parametrize("path", LEAF_COMMANDS, ids=" ".join)
def test_every_command_describes_every_option_and_shows_an_example(
    path: tuple[str, ...],
) -> None:
    command = _command(path)
    assert "Example: vte-registry " + path[0] in (command.help or "")
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert param.help, f"{' '.join(path)} --{param.name} has no help"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


@pytest.mark.parametrize(
    "command", [["export", "fhir"], ["export", "redcap-records"]], ids=["fhir", "redcap-records"]
)
def test_every_export_of_a_submission_with_errors_is_refused_alike(
    command: list[str], defect_cohort: Validated, tmp_path: Path
) -> None:
    """One rule for every export of a submission: refused, exit 1, one line, nothing
    written."""
    out = tmp_path / ("out.csv" if command[-1] == "redcap-records" else "out")
    done = subprocess.run(
        [sys.executable, "-m", "registry", *command, str(defect_cohort.folder), str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("not exported:") and "error findings" in lines[0]
    assert not out.exists()
