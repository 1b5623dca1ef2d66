"""Random damage to cells and bytes of CSV files: always a report or a clear exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.synthetic import synthesize
from registry.validation.reading import UnusableInput
from registry.validation.report import Report
from registry.validation.validate import validate_submission


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "base"
    synthesize(folder, 12, seed=99)
    return folder


FILES = [
    "patients.csv",
    "treatment_phases.csv",
    "catheters.csv",
    "vte_events.csv",
    "anticoagulation_courses.csv",
    "lab_results.csv",
    "manifest.json",
]


def _copy(small: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(small, target)
    return target


def _outcome(folder: Path) -> None:
    try:
        report = validate_submission(folder)
    except UnusableInput:
        return
    assert isinstance(report, Report)
    report.to_dict()


@given(file=st.sampled_from(FILES), data=st.data())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_bytes(small: Path, tmp_path: Path, file: str, data: st.DataObject) -> None:
    folder = _copy(small, tmp_path / "case")
    path = folder / file
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw[position : position + 1] = data.draw(st.binary(min_size=0, max_size=4))
    path.write_bytes(bytes(raw))
    _outcome(folder)


@given(file=st.sampled_from(FILES[:-1]), data=st.data())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_cells(small: Path, tmp_path: Path, file: str, data: st.DataObject) -> None:
    folder = _copy(small, tmp_path / "case")
    path = folder / file
    lines = path.read_text(encoding="utf-8").split("\n")
    row = data.draw(st.integers(0, max(len(lines) - 2, 0)))
    cells = lines[row].split(",")
    col = data.draw(st.integers(0, len(cells) - 1))
    cells[col] = data.draw(
        st.text(max_size=12)
        | st.sampled_from(
            ["", "NaN", "inf", "-1", "9" * 30, "2021-02-30", "true", '"', ",,", "\r", "0x1F"]
        )
    )
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    _outcome(folder)


def test_everything_missing_but_a_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = validate_submission(tmp_path / "empty")
    assert {f.rule for f in report.findings} == {"unreadable-file", "manifest-mismatch"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=40,
)


@given(data=st.data())
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_manifests(small: Path, tmp_path: Path, data: st.DataObject) -> None:
    """Any JSON in any key of the manifest, or instead of it: a finding, never a crash."""
    import json

    folder = _copy(small, tmp_path / "case")
    manifest = json.loads((folder / "manifest.json").read_text())
    if data.draw(st.booleans()):
        key = data.draw(st.sampled_from([*manifest, "extra"]))
        manifest[key] = data.draw(_JSON)
        text = json.dumps(manifest)
    else:
        text = json.dumps(data.draw(_JSON))
    (folder / "manifest.json").write_text(text)
    report = validate_submission(folder)
    assert any(f.table == "manifest" for f in report.findings) or report.ok


@given(
    size=st.sampled_from([10**3, 10**4, 10**5, 10**6]),
    depth=st.integers(1, 50_000),
    char=st.sampled_from(["a", "1", "@", "[", " ", "-", "é"]),
)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_sizes_and_nesting(small: Path, tmp_path: Path, size: int, depth: int, char: str) -> None:
    """A huge cell and a deeply nested manifest: a report in bounded time."""
    import time

    folder = _copy(small, tmp_path / "case")
    path = folder / "patients.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1] + "," + char * size  # an extra cell, as long as it gets
    path.write_text("\n".join(lines) + "\n")
    (folder / "manifest.json").write_text("[" * depth + "]" * depth)
    started = time.perf_counter()
    _outcome(folder)
    assert time.perf_counter() - started < 60  # a hang guard: it takes about a second


def test_a_carriage_return_and_a_broken_byte_in_the_header(small: Path, tmp_path: Path) -> None:
    """Found by test_random_bytes: b'\\r\\x80' inside the header crashed the encoding check."""
    folder = _copy(small, tmp_path / "case")
    path = folder / "patients.csv"
    data = path.read_bytes()
    path.write_bytes(data[:1] + b"\r\x80" + data[1:])
    report = validate_submission(folder)
    assert any(f.rule == "encoding-error" for f in report.findings)
