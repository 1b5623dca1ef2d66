"""Every CSV this package writes is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from registry.csvfile import neutralize, writer
from registry.submission import write_submission


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("1e-3", "1e-3"),  # numbers stay numbers
        ("AALL1731", "AALL1731"),
        ("", ""),
    ],
)
def test_formulas_are_neutralized(cell: str, written: str) -> None:
    assert neutralize(cell) == written


def test_a_carriage_return_inside_a_value_is_quoted() -> None:
    buffer = io.StringIO()
    writer(buffer).writerow(["a\rb", "c"])
    assert buffer.getvalue() == '"a\rb","c"\n'
    assert next(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == ["a\rb", "c"]


def test_submission_files_are_written_safely(tmp_path: Path) -> None:
    write_submission(
        tmp_path,
        {"patients": [{"patient_id": "NYC01-7F3K9Q2M", "protocol_name": "=cmd|' /C calc'!A0"}]},
        {"site_id": "NYC01"},
    )
    text = (tmp_path / "patients.csv").read_text()
    assert ",'=cmd|' /C calc'!A0" in text and ",=cmd" not in text
