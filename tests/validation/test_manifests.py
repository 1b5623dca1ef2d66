"""A site makes the manifest of its own files (``vte-registry manifest``), and refreshes it
after an edit; what the validator would report is refused, never listed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from registry import ManifestRefused, make_manifest, refresh_manifest
from registry.synthetic import synthesize
from registry.validation.validate import validate_submission


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site's own export: the table files, no manifest."""
    folder = synthesize(tmp_path_factory.mktemp("export") / "s", 60, seed=5, site="NYC01").folder
    (folder / "manifest.json").unlink()
    return folder


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(source, target)
    return target


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args], capture_output=True, text=True, timeout=120
    )


def test_a_missing_manifest_names_the_command(exported: Path) -> None:
    found = [f.message for f in validate_submission(exported).findings if "missing" in f.message]
    assert any("vte-registry manifest FOLDER --site SITE --cutoff" in m for m in found)


def test_a_made_manifest_validates_clean(exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path)
    done = _cli("manifest", str(folder), "--site", "NYC01", "--cutoff", "2025-12-31")
    assert done.returncode == 0, done.stderr
    assert "12 tables" in done.stdout and "site NYC01" in done.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == "1.1" and manifest["site_id"] == "NYC01"
    report = validate_submission(folder)
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"][:3]


def test_an_edit_is_found_and_refresh_mends_it(exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path)
    first = make_manifest(folder, "NYC01", "2025-12-31")
    path = folder / "patients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # saved again as Excel's CSV UTF-8
    mismatch = [f for f in validate_submission(folder).findings if f.rule == "manifest-mismatch"]
    assert mismatch and "vte-registry manifest FOLDER --refresh" in mismatch[0].message
    done = _cli("manifest", str(folder), "--refresh")
    assert done.returncode == 0, done.stderr
    assert "tables changed since the manifest before: patients" in done.stdout
    after = json.loads((folder / "manifest.json").read_text())
    assert (after["site_id"], after["data_cutoff_date"], after["generator"]) == (
        first.manifest.site_id,
        first.manifest.data_cutoff_date.isoformat(),
        first.manifest.generator,
    )
    assert after["submission_id"] != str(first.manifest.submission_id)
    assert validate_submission(folder).errors == 0
    again = refresh_manifest(folder)
    assert again.changed == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no table file", "holds no table file"),
        ("an unknown file", "notes.txt is not part of a submission"),
        ("two files of one table", "two files for patients"),
        ("an empty table file", "is empty"),
        ("a bad site", "site_id"),
    ],
)
def test_what_the_validator_would_report_is_refused(
    case: str, expected: str, exported: Path, tmp_path: Path
) -> None:
    folder = _copy(exported, tmp_path)
    site = "NYC01"
    if case == "no table file":
        for path in folder.glob("*.csv"):
            path.unlink()
    elif case == "an unknown file":
        (folder / "notes.txt").write_text("call the family")
    elif case == "two files of one table":
        shutil.copy(folder / "patients.csv", folder / "patients.parquet")
    elif case == "an empty table file":
        (folder / "catheters.csv").write_text("")
    else:
        site = "nyc 01"
    done = _cli("manifest", str(folder), "--site", site, "--cutoff", "2025-12-31")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert not (folder / "manifest.json").exists()
    with pytest.raises(ManifestRefused, match=expected):
        make_manifest(folder, site, "2025-12-31")


@pytest.mark.parametrize(
    "args",
    [["--refresh"], ["--refresh", "--site", "NYC01"], ["--site", "NYC01"], []],
    ids=["refresh-without-manifest", "refresh-and-site", "site-without-cutoff", "nothing"],
)
def test_usage_errors_are_one_line(args: list[str], exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path)
    done = _cli("manifest", str(folder), *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
