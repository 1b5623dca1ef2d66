"""Reading that cannot hang, crash or drop a file: the regressions of the issue "Nothing lost,
nothing silently dropped", each with its reproduction."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from registry.synthetic import synthesize
from registry.validation import inventory as inventory_module
from registry.validation.reading import UnusableInput, read_submission
from registry.validation.validate import validate_submission
from tests.rows import as_1_0, reinventory


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # seed 10: every table has rows (the date-floor test needs a bleed)
    return synthesize(tmp_path_factory.mktemp("hard") / "s", 40, seed=10).folder


def _copy(clean: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(clean, folder)
    return folder


def _mismatches(folder: Path) -> list[tuple[str | None, str | None]]:
    return [
        (f.table, f.field)
        for f in validate_submission(folder).findings
        if f.rule == "manifest-mismatch"
    ]


# --- the inventory ---------------------------------------------------------------------------
def test_a_clean_submission_matches_its_manifest(clean: Path) -> None:
    assert validate_submission(clean).errors == 0


def test_a_truncated_file_is_found(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    path = folder / "lab_results.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: len(lines) // 2]))
    found = [f for f in validate_submission(folder).findings if f.rule == "manifest-mismatch"]
    assert len(found) == 1 and found[0].table == "lab_results"
    assert f"where the manifest lists {len(lines) - 1:,}" in found[0].message


@pytest.mark.parametrize(
    ("name", "table"), [("Patients.CSV", "patients"), ("lab_results.xlsx", "lab_results")]
)
def test_a_near_miss_name_is_named(clean: Path, tmp_path: Path, name: str, table: str) -> None:
    folder = _copy(clean, tmp_path)
    (folder / f"{table}.csv").rename(folder / name)
    found = [f for f in validate_submission(folder).findings if f.rule == "manifest-mismatch"]
    assert (table, name) in [(f.table, f.field) for f in found]
    assert any(name in f.message and f"no {table}.csv" in f.message for f in found)


def test_an_extra_file_and_a_duplicate_table(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    shutil.copy(folder / "catheters.csv", folder / "catheters (1).csv")
    (folder / "catheters.parquet").write_bytes(b"PAR1")
    (folder / ".DS_Store").write_bytes(b"\x00")  # OS litter is not a finding
    found = _mismatches(folder)
    assert ("manifest", "catheters (1).csv") in found
    assert ("catheters", "catheters.parquet") in found
    assert len(found) == 2


def test_a_missing_manifest_is_one_finding_not_thousands(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    (folder / "manifest.json").unlink()
    report = validate_submission(folder)
    errors = [(f.rule, f.table) for f in report.findings if f.severity == "error"]
    assert errors == [("manifest-mismatch", "manifest")]


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ('{"site_id": "SYN01", "site_id": "SYN02"}', None, "twice"),
        ("[" * 100_000 + "]" * 100_000, None, "nested too deeply"),
        ('{"a": NaN}', None, "not valid JSON"),
        ("[1, 2]", None, "not a JSON object"),
    ],
)
def test_unreadable_manifests(
    clean: Path, tmp_path: Path, text: str, field: str | None, words: str
) -> None:
    folder = _copy(clean, tmp_path)
    (folder / "manifest.json").write_text(text)
    report = validate_submission(folder)
    found = [f for f in report.findings if f.table == "manifest"]
    assert len(found) == 1 and words in found[0].message, found


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (
            {"tables": {"patients": {"rows": "40", "sha256": None}}},
            "tables.patients.rows",
            "type-error",
        ),
        ({"created_at": 1767247200}, "created_at", "type-error"),
        ({"data_cutoff_date": "1999-01-01"}, "data_cutoff_date", "out-of-range"),
        ({"data_cutoff_date": "2026-02-01"}, "created_at", "out-of-range"),
        ({"created_at": "2026-01-01T06:00:00"}, "created_at", "type-error"),  # no time zone
        ({"comment": "x"}, "comment", "unknown-column"),
    ],
)
def test_manifest_values_are_checked(
    clean: Path, tmp_path: Path, change: dict[str, Any], field: str, rule: str
) -> None:
    folder = _copy(clean, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(change)
    if "tables" in change:
        manifest["tables"] = {
            **json.loads((clean / "manifest.json").read_text())["tables"],
            **change["tables"],
        }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    found = [
        (f.rule, f.field) for f in validate_submission(folder).findings if f.table == "manifest"
    ]
    assert (rule, field) in found


def test_a_1_0_manifest_is_still_read(clean: Path, tmp_path: Path) -> None:
    folder = as_1_0(_copy(clean, tmp_path))
    (folder / "bleeding_events.csv").unlink()
    report = validate_submission(folder)
    assert report.ok and report.schema_version == "1.0"
    assert report.not_submitted == ["bleeding_events", "vte_interventions"]
    from registry.validation.report_text import render_text

    assert "not submitted" in render_text(report) and "schema 1.0" in render_text(report)


# --- files that are not files ----------------------------------------------------------------
def test_a_fifo_is_refused_without_blocking(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    (folder / "vte_assessments.csv").unlink()
    os.mkfifo(folder / "vte_assessments.csv")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "from registry.validation.validate import validate_submission as v; import sys;"
                f"r = v({str(folder)!r}); print([f.message for f in r.findings "
                "if f.rule == 'unreadable-file'])"
            ),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "not a regular file" in proc.stdout, proc.stderr


def test_a_link_out_of_the_folder_is_refused(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("anything\n")
    (folder / "vte_assessments.csv").unlink()
    (folder / "vte_assessments.csv").symlink_to(secret)
    found = [f for f in validate_submission(folder).findings if f.rule == "unreadable-file"]
    assert any("outside the submission folder" in f.message for f in found)


def test_folder_and_zip_bounds(
    clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_module, "MAX_SUBMISSION_BYTES", 10_000)
    with pytest.raises(UnusableInput, match="more than 10,000 bytes"):
        read_submission(clean)
    monkeypatch.undo()
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(1001):
            zf.writestr(f"f{i}.txt", "")
    with pytest.raises(UnusableInput, match="1,001 entries"):
        read_submission(many)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(12):  # each entry modest, the whole a bomb
            zf.writestr(f"part{i}.csv", b"0" * (1024**2 * 4))
    with pytest.raises(UnusableInput, match="as a whole"):
        read_submission(bomb)


# --- values that could hang or crash ---------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args], capture_output=True, text=True, timeout=180
    )


def _set_protocol_name(folder: Path, value: str, field: str = "protocol_name") -> None:
    path = folder / "patients.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(field)] = value
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    reinventory(folder)


def test_a_300_kb_value_does_not_hang(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    _set_protocol_name(folder, "a" * 300_000)  # the e-mail pattern used to be quadratic
    result = _cli("validate", str(folder), "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert any(f["rule"] == "phi-suspected" and "too long" in f["message"] for f in findings)


@pytest.mark.parametrize("value", ["[/]", "[bold]x[/bold]", "[link=file:///etc]x"])
def test_markup_in_a_value_is_printed_as_text(clean: Path, tmp_path: Path, value: str) -> None:
    folder = _copy(clean, tmp_path)
    _set_protocol_name(folder, value, field="sex")  # shown in clear: a code, not free text
    _set_protocol_name(folder, "John Smith")
    result = _cli("validate", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert value in result.stdout  # plain text, not interpreted
    assert "Smith" not in result.stdout  # and still masked
    assert "JSON and HTML reports" in result.stdout


@pytest.mark.parametrize(("delimiter", "words"), [(";", "';'"), ("\t", "tabs")])
def test_an_excel_style_file_is_one_finding(
    clean: Path, tmp_path: Path, delimiter: str, words: str
) -> None:
    folder = _copy(clean, tmp_path)
    path = folder / "lab_results.csv"
    path.write_text(path.read_text().replace(",", delimiter))
    reinventory(folder)
    found = [f for f in validate_submission(folder).findings if f.table == "lab_results"]
    skipped = [f for f in found if "checks that need it were not run" in f.message]
    found = [f for f in found if f not in skipped]
    assert len(found) == 1, found
    assert words in found[0].message and "CSV UTF-8" in found[0].message
    assert len(skipped) == 1  # and the one that says which checks it kept from running


def test_a_cp1252_file_names_each_row_and_says_how_to_save(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    path = folder / "patients.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    column = header.index("protocol_name")
    for i in range(1, len(lines)):
        cells = lines[i].split(",")
        cells[column] = "Niño Jesús"
        lines[i] = ",".join(cells)
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    reinventory(folder)
    found = [f for f in validate_submission(folder).findings if f.rule == "encoding-error"]
    per_row = [f for f in found if f.record_id is not None]
    assert len(per_row) == len(lines) - 1
    assert all(f.field == "protocol_name" and "'ñ'" in f.message for f in per_row)
    assert sum("Windows-1252" in f.message and f.record_id is None for f in found) == 1


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ("lab_results", "date"),
        ("thrombophilia_tests", "sample_date"),
        ("bleeding_events", "date"),
        ("catheters", "insertion_date"),
    ],
)
def test_dates_before_the_floor_are_caught_in_every_date_field(
    clean: Path, tmp_path: Path, table: str, field: str
) -> None:
    folder = _copy(clean, tmp_path)
    path = folder / f"{table}.csv"
    lines = path.read_text().splitlines()
    assert len(lines) > 1, f"the cohort has no {table}: choose another seed"
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(field)] = "1900-01-01"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    reinventory(folder)
    found = {(f.rule, f.table, f.field) for f in validate_submission(folder).findings}
    assert ("out-of-range", table, field) in found


# --- errors while reading are about the entry, in one line each ----------------------------
def _zip(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return target


def _patched(zip_path: Path, entry: str, *, method: int | None = None, flags: int = 0) -> Path:
    """The zip with ``entry``'s compression method or flag bits changed in both headers
    (what a site's zip tool writes for Deflate64 or a password)."""
    import struct

    data = bytearray(zip_path.read_bytes())
    name = entry.encode()
    for signature, method_at, flags_at, name_at in (
        (b"PK\x03\x04", 8, 6, 30),
        (b"PK\x01\x02", 10, 8, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) != -1:
            length = struct.unpack_from("<H", data, start + (26 if name_at == 30 else 28))[0]
            if bytes(data[start + name_at : start + name_at + length]) == name:
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
                old = struct.unpack_from("<H", data, start + flags_at)[0]
                struct.pack_into("<H", data, start + flags_at, old | flags)
            start += 4
    zip_path.write_bytes(bytes(data))
    return zip_path


def _validate_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", "validate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _reading_finding(done: subprocess.CompletedProcess[str], expected: str) -> None:
    """The submission was validated (exit 1), and one finding says ``expected``."""
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "cannot write" not in done.stderr
    messages = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert any(expected in m for m in messages), [m for m in messages if "entry" in m][:3]


def test_a_dangling_link_and_a_loop_are_findings_about_them(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    (folder / "extra.csv").symlink_to(folder / "nothing.csv")
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    done = _validate_cli(folder)
    _reading_finding(done, "extra.csv is a link to a file that is not there")
    _reading_finding(done, "loop_a is a link that loops")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"x" * 300 + ".csv": b"a"}, "has a name longer than the file system allows"),
        ({"notes": b"a", "notes/b.txt": b"b"}, "has the name of a file or folder of another"),
    ],
    ids=["name-over-255-bytes", "file-and-folder-of-one-name"],
)
def test_a_zip_entry_that_cannot_be_extracted_is_a_finding(
    clean: Path, tmp_path: Path, extra: dict[str, bytes], expected: str
) -> None:
    done = _validate_cli(_zip(clean, tmp_path / "s.zip", extra))
    _reading_finding(done, expected)


@pytest.mark.parametrize(
    ("method", "flags", "expected"),
    [(9, 0, "compressed with Deflate64"), (99, 0, "AES"), (None, 1, "is encrypted")],
    ids=["deflate64", "method-99", "encrypted"],
)
def test_an_unreadable_zip_method_or_a_password_is_one_reason(
    clean: Path, tmp_path: Path, method: int | None, flags: int, expected: str
) -> None:
    archive = _patched(
        _zip(clean, tmp_path / "s.zip"), "vte_assessments.csv", method=method, flags=flags
    )
    done = _validate_cli(archive)
    _reading_finding(done, expected)


def test_two_zip_entries_of_one_name_are_an_error_naming_both(clean: Path, tmp_path: Path) -> None:
    """An unzip tool extracts the first of them and Python the last: which one a site meant
    is unknown, so neither is silently chosen."""
    import warnings

    archive = _zip(clean, tmp_path / "s.zip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(archive, "a") as zf:
            zf.writestr("patients.csv", b"patient_id\nNYC01-00000000\n")
    done = _validate_cli(archive)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "two entries named patients.csv" in lines[0], done.stderr
    assert "entries" in lines[0] and " and " in lines[0]


def test_a_parquet_date_past_the_calendar_is_a_finding(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = synthesize(tmp_path / "s", 10, seed=3, fmt="parquet").folder
    table = pq.read_table(folder / "catheters.parquet")
    far = pa.array([3_000_000] * table.num_rows, pa.date32())  # about the year 10,180
    table = table.set_column(table.column_names.index("insertion_date"), "insertion_date", far)
    pq.write_table(table, folder / "catheters.parquet")
    reinventory(folder)
    _reading_finding(
        _validate_cli(folder), "column insertion_date holds a value that cannot be read"
    )


def test_a_created_at_past_the_calendar_in_utc_is_a_finding(clean: Path, tmp_path: Path) -> None:
    folder = _copy(clean, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["created_at"] = "9999-12-31T23:59:59-01:00"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _reading_finding(_validate_cli(folder), "lies outside the calendar in UTC")


# --- text from any format is held to the same rules ------------------------------------------
def test_the_two_forms_of_the_forbidden_characters_agree() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from registry.validation import table_files

    chars = [chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF]
    by_arrow = pc.match_substring_regex(pa.array(chars), table_files._FORBIDDEN_RE2).to_pylist()
    by_python = [bool(table_files._FORBIDDEN.search(c)) for c in chars]
    assert by_arrow == by_python
    assert sum(by_python) == sum(high - low + 1 for low, high in table_files.FORBIDDEN_CHARACTERS)
    assert not any(table_files._FORBIDDEN.search(c) for c in "\t\n\r é€")


@pytest.mark.parametrize(
    ("fmt", "value", "named"),
    [
        ("parquet", "AALL\x001731", "U+0000"),
        ("csv", "AALL\x1b[2J1731", "U+001B"),
        ("csv", "AALL\u202e1731", "U+202E"),
        ("parquet", "AALL\u20661731", "U+2066"),
    ],
    ids=["nul-parquet", "escape-csv", "bidi-override-csv", "bidi-isolate-parquet"],
)
def test_a_control_character_in_a_cell_is_a_finding_naming_the_cell(
    fmt: str, value: str, named: str, tmp_path: Path, pg_db: Any
) -> None:
    """NUL, other control characters and bidirectional overrides, in CSV or Parquet: a
    finding naming row and column, the row not read, and a load refused before any database
    sees them (PostgreSQL refuses NUL in text: nothing the validator passes may fail it)."""
    import pyarrow.parquet as pq

    from registry.database.loading import load_submission

    folder = synthesize(tmp_path / "s", 10, seed=3, fmt=fmt).folder  # type: ignore[arg-type]
    if fmt == "parquet":
        table = pq.read_table(folder / "patients.parquet")
        names = table.column("protocol_name").to_pylist()
        names[2] = value
        index = table.column_names.index("protocol_name")
        table = table.set_column(index, "protocol_name", pa_array(names))
        pq.write_table(table, folder / "patients.parquet")
    else:
        path = folder / "patients.csv"
        rows = path.read_text(encoding="utf-8").split("\n")
        header = rows[0].split(",")
        cells = rows[3].split(",")
        cells[header.index("protocol_name")] = value
        rows[3] = ",".join(cells)
        path.write_text("\n".join(rows), encoding="utf-8")
    reinventory(folder)
    report = validate_submission(folder)
    found = [f for f in report.findings if f.rule == "encoding-error"]
    assert [(f.table, f.row, f.field) for f in found] == [("patients", 3, "protocol_name")]
    assert named in found[0].message and "\x00" not in (found[0].value or "")
    result = load_submission(folder, pg_db.url)
    assert result.outcome == "rejected"


def pa_array(values: list[Any]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.string())


def test_a_control_character_is_found_on_the_columnar_path_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large plain CSV files are read by Arrow (column by column): the same finding."""
    import registry.validation.validate as validate_module

    monkeypatch.setattr(validate_module, "COLUMNAR_MIN_ROWS", 0)
    folder = synthesize(tmp_path / "s", 10, seed=3).folder
    path = folder / "catheters.csv"
    rows = path.read_text(encoding="utf-8").split("\n")
    rows[2] = rows[2].replace(",", ",\x07", 1)  # a bell after the first cell
    path.write_text("\n".join(rows), encoding="utf-8")
    reinventory(folder)
    found = [f for f in validate_submission(folder).findings if f.rule == "encoding-error"]
    assert [(f.table, f.row) for f in found] == [("catheters", 2)]
    assert "U+0007" in found[0].message


# --- the terminal cannot be driven by the data -----------------------------------------------
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x202E, 0x2066)]


def _no_controls(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in CONTROLS and c != "\n"})


def test_control_characters_of_a_submission_never_reach_the_terminal(
    clean: Path, tmp_path: Path
) -> None:
    """Every C0 and C1 control character (and the bidirectional ones) in a manifest's
    site_id, which the text report's header and findings show: stdout and stderr hold
    none of them (an ESC would let a submission write to the data manager's terminal)."""
    folder = _copy(clean, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["site_id"] = "NYC" + "".join(CONTROLS) + "01"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = subprocess.run(
        [sys.executable, "-m", "registry", "validate", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "\\x1b" in done.stdout  # shown, made visible
    assert _no_controls(done.stdout) == [] and _no_controls(done.stderr) == []


def test_a_one_line_message_holds_no_control_character(tmp_path: Path) -> None:
    name = "site" + "".join(c for c in CONTROLS if c not in "\x00/") + ".zip"
    done = subprocess.run(
        [sys.executable, "-m", "registry", "validate", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert _no_controls(done.stderr) == [] and "does not exist" in done.stderr
