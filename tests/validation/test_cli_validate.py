"""``vte-registry validate`` as a data manager runs it: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Validated


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_clean_submission_exits_0_with_json(clean_cohort: Validated) -> None:
    result = _cli("validate", str(clean_cohort.folder), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["errors"] == 0
    assert data["summary"] == clean_cohort.report.to_dict()["summary"]


def test_defects_exit_1_and_html_file(defect_cohort: Validated, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    result = _cli("validate", str(defect_cohort.folder), "-f", "html", "-o", str(out))
    assert result.returncode == 1
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "/nonexistent/submission"),
        ("validate",),
        ("validate", "x", "--format", "pdf"),
        ("synth", "/tmp/x", "--patients", "0"),
    ],
)
def test_unusable_input_or_usage_exits_2_with_one_line(args: tuple[str, ...]) -> None:
    result = _cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout


def test_not_a_submission_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = _cli("validate", str(path))
    assert result.returncode == 2
    assert "neither a submission folder nor a .zip" in result.stderr


def test_engine_gx_on_the_command_line_gives_the_same_report(defect_cohort: Validated) -> None:
    result = _cli("validate", str(defect_cohort.folder), "--format", "json", "--engine", "gx")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings == [f.to_dict() for f in defect_cohort.report.findings]
