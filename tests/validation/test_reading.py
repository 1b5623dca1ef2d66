"""Reading submissions: every kind of damage is a finding or a clean exit 2, never a crash."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from registry.models import TABLES
from registry.validation.reading import UnusableInput, read_submission
from registry.validation.validate import validate_submission
from tests.conftest import Validated
from tests.rows import VALID, reinventory, write_submission


def _write(
    folder: Path,
    tables: dict[str, list[dict[str, str]]] | None = None,
    manifest: dict[str, str] | None = None,
) -> Path:
    return write_submission(folder, tables, manifest)


def _rules(folder: Path) -> set[tuple[str, str | None, str | None]]:
    report = validate_submission(folder)
    return {(f.rule, f.table, f.field) for f in report.findings}


def test_the_hand_written_valid_submission_is_clean(tmp_path: Path) -> None:
    report = validate_submission(_write(tmp_path / "s"))
    assert report.errors == 0, report.findings


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s")
    path = folder / "patients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    reinventory(folder)  # the manifest as the site's export made it
    assert validate_submission(folder).errors == 0


def test_a_latin1_row_is_an_encoding_error_naming_line_and_column(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s")
    path = folder / "patients.csv"
    path.write_bytes(path.read_bytes().replace(b"AALL1731", b"Ni\xf1o"))
    report = validate_submission(folder)
    found = [f for f in report.findings if f.rule == "encoding-error"]
    assert len(found) == 1
    assert "patients.csv line 2" in found[0].message
    assert found[0].field == "protocol_name"
    assert found[0].record_id == VALID["patients"]["patient_id"]
    assert "0xf1 ('ñ' in Windows-1252)" in found[0].message


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"", "empty"), (b"   \n", "empty"), (b"\x00\x01\x02PK\x00", "NUL bytes")],
)
def test_empty_or_binary_file_is_unreadable(tmp_path: Path, content: bytes, why: str) -> None:
    folder = _write(tmp_path / "s")
    (folder / "catheters.csv").write_bytes(content)
    findings = [f for f in validate_submission(folder).findings if f.rule == "unreadable-file"]
    assert findings and findings[0].table == "catheters" and why in findings[0].message


def test_columns_unknown_duplicate_and_missing(tmp_path: Path) -> None:
    rows = [dict(VALID["catheters"], notes="x")]
    folder = _write(
        tmp_path / "s", {**{s.name: [VALID[s.name]] for s in TABLES}, "catheters": rows}
    )
    text = (folder / "catheters.csv").read_text()
    header, body = text.split("\n", 1)
    header = header.replace("lumens", "lumens,lumens").replace(",side", "")
    body = body.replace(",right,1,", ",1,1,")
    (folder / "catheters.csv").write_text(header + "\n" + body)
    rules = _rules(folder)
    assert ("unknown-column", "catheters", "notes") in rules
    assert ("unknown-column", "catheters", "lumens") in rules  # the duplicate
    assert ("missing-column", "catheters", "side") in rules
    assert ("missing-value", "catheters", "side") not in rules  # said once, not per row


def test_a_row_with_too_many_cells_is_reported_and_skipped(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s")
    path = folder / "lab_results.csv"
    path.write_text(path.read_text() + "a,b,c,d,e,f,g,h,i\n")
    findings = validate_submission(folder).findings
    assert any(
        f.rule == "unreadable-file" and f.table == "lab_results" and f.row == 2 for f in findings
    )


def test_missing_patients_and_manifest(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s")
    (folder / "patients.csv").unlink()
    (folder / "manifest.json").unlink()
    rules = _rules(folder)
    assert ("unreadable-file", "patients", None) in rules
    assert ("manifest-mismatch", "manifest", None) in rules
    # one cause, one finding: the checks that need the manifest were not run
    assert not {r for r in rules if r[0] in ("site-mismatch", "after-cutoff")}


@pytest.mark.parametrize("text", ["{not json", "[]", '{"site_id": "NYC01"'])
def test_broken_manifest(tmp_path: Path, text: str) -> None:
    folder = _write(tmp_path / "s")
    (folder / "manifest.json").write_text(text)
    assert ("unreadable-file", "manifest", None) in _rules(folder)


def test_nonexistent_path_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="does not exist"):
        read_submission(tmp_path / "nothing")


def test_zip_of_a_folder_is_read(tmp_path: Path, clean_cohort: Validated) -> None:
    archive = tmp_path / "sub.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in clean_cohort.folder.iterdir():
            zf.write(path, f"submission/{path.name}")
    report = validate_submission(archive)
    assert report.errors == 0 and report.tables == clean_cohort.report.tables


@pytest.mark.parametrize("name", ["../evil.csv", "/tmp/evil.csv", "a/../../evil.csv"])
def test_zip_with_unsafe_paths_is_refused_and_writes_nothing(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr(name, "x")
    before = set(tmp_path.parent.rglob("evil.csv"))
    with pytest.raises(UnusableInput, match="refused"):
        read_submission(archive)
    assert set(tmp_path.parent.rglob("evil.csv")) == before
    assert not Path("/tmp/evil.csv").exists()


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("patients.csv", b"\0" * (40 * 1024**2))  # 40 MB of zeros: ~40 KB zipped
    with pytest.raises(UnusableInput, match=r"zip bomb|expand"):
        read_submission(archive)
    monkeypatch.setattr("registry.validation.archive.MAX_UNZIPPED_BYTES", 1000)
    small = tmp_path / "big.zip"
    with zipfile.ZipFile(small, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("patients.csv", b"x" * 5000)
    with pytest.raises(UnusableInput, match="expand"):
        read_submission(small)


def test_a_damaged_zip_is_unusable(tmp_path: Path, clean_cohort: Validated) -> None:
    archive = tmp_path / "sub.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", clean_cohort.folder)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2] + b"\0" * 100 + data[-200:])
    with pytest.raises(UnusableInput):
        read_submission(archive)


# --- one cause, one finding --------------------------------------------------------------------
def _semicolons(folder: Path) -> None:
    path = folder / "patients.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")


UNREAD_PATIENTS = {
    "separated by ';'": _semicolons,
    "renamed Patients.CSV": lambda f: (f / "patients.csv").rename(f / "Patients.CSV"),
    "empty": lambda f: (f / "patients.csv").write_bytes(b""),
    "missing": lambda f: (f / "patients.csv").unlink(),
    "binary": lambda f: (f / "patients.csv").write_bytes(b"\x00\x01PK\x03\x04"),
}


@pytest.mark.parametrize("how", list(UNREAD_PATIENTS), ids=list(UNREAD_PATIENTS))
def test_an_unread_table_is_one_cause_and_one_finding(
    how: str, tmp_path: Path, clean_cohort: Validated
) -> None:
    """patients cannot be read: the findings say so (files first), one more says which
    checks were not run for it; none of the thousands of 'no patient' findings it causes."""
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(clean_cohort.folder, folder)
    UNREAD_PATIENTS[how](folder)
    report = validate_submission(folder)
    assert len(report.findings) <= 4, [f.message for f in report.findings]
    assert {f.rule for f in report.findings} <= {"unreadable-file", "manifest-mismatch"}
    skipped = [f for f in report.findings if "checks that need it were not run" in f.message]
    assert len(skipped) == 1 and skipped[0].table == "patients"
    assert "fk-missing" in skipped[0].message
    assert report.findings[-1] is skipped[0]  # after the cause it follows from
    assert report.findings[0].table == "patients"  # the cause first


def test_the_checks_left_out_are_exactly_those_that_need_the_table() -> None:
    from registry.validation.rules_engine import runnable

    run, skipped = runnable(True, frozenset({"lab_results"}))
    assert skipped and all("lab_results" in c.needed for c in skipped)
    assert all("lab_results" not in c.needed for c in run)
    assert {c.rule for c in run} >= {"phase-overlap", "late-enrollment", "fk-missing"}
    # a table whose records others reference: its references are not checked without it
    _, without_patients = runnable(True, frozenset({"patients"}))
    assert "fk-missing" in {c.rule for c in without_patients}


def test_the_report_lists_rules_in_the_order_they_are_fixed(defect_cohort: Validated) -> None:
    """Files and manifest first, then identifiers and records, then the checks across
    records; errors before warnings."""
    rules = [r.rule for r in defect_cohort.report.rules()]
    errors = [r for r in defect_cohort.report.rules() if r.severity == "error"]
    assert rules[: len(errors)] == [r.rule for r in errors]
    for before, after in (
        ("manifest-mismatch", "invalid-code"),
        ("encoding-error", "fk-missing"),
        ("invalid-code", "fk-missing"),
    ):
        assert rules.index(before) < rules.index(after), rules
