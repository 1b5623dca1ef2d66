"""Reading a submission: a folder or a .zip; CSV (UTF-8, with or without BOM) or Parquet.

Nothing here raises on bad content: a damaged or empty file, another encoding, duplicate,
unknown or missing columns all become findings that name the file, line and column. Only
input that cannot be a submission at all (no such path, an unsafe or corrupt zip) raises
``UnusableInput`` (exit code 2).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from registry.models import TABLES, Manifest, table_spec
from registry.submission import MANIFEST_FILE
from registry.validation.findings import Finding, finding
from registry.validation.inventory import (
    MAX_SUBMISSION_BYTES,
    UnusableInput,
    check_table,
    check_unread_tables,
    list_folder,
    read_manifest,
)

__all__ = [
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_ENTRIES",
    "RawTable",
    "Submission",
    "SubmissionReader",
    "UnusableInput",
    "open_submission",
    "read_submission",
]

#: Upper bound on what a .zip may expand to (zip bombs): the bound of a folder.
MAX_UNZIPPED_BYTES = MAX_SUBMISSION_BYTES
#: A submission has a dozen files; thousands of entries are an attack or a mistake.
MAX_ZIP_ENTRIES = 1000
_MAX_RATIO = 200  # compressed -> uncompressed; CSV compresses ~10x


@dataclass
class RawTable:
    """A table as read: rows of text (empty = missing), with their file line numbers."""

    name: str
    file: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    #: Rows that could not be decoded: excluded from validation, reported as findings.
    excluded: set[int] = field(default_factory=set)
    #: Columns of the table that the file lacks.
    missing_columns: list[str] = field(default_factory=list)
    #: Values of columns the table does not define (kept only for the PHI scan).
    unknown_values: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Submission:
    """Everything read from a submission, and the findings reading produced."""

    source: Path
    manifest: Manifest | None
    manifest_raw: dict[str, Any] | None
    tables: dict[str, RawTable]
    findings: list[Finding]
    #: SHA-256 of every file read (for the audit trail of loads).
    file_sha256: dict[str, str] = field(default_factory=dict)
    #: Tables with no file under a manifest without inventory (schema 1.0): not submitted,
    #: which is not the same as "no rows".
    not_submitted: list[str] = field(default_factory=list)

    def row_count(self, name: str) -> int:
        table = self.tables.get(name)
        return 0 if table is None else len(table.rows)


# --- zip -------------------------------------------------------------------------------------
def _safe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not (path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]))


def _extract(archive: Path, target: Path) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableInput(f"{archive.name} is not a readable zip file: {exc}") from None
    with zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_ENTRIES:
            raise UnusableInput(
                f"{archive.name} has {len(members):,} entries (limit "
                f"{MAX_ZIP_ENTRIES:,}): a submission has a dozen files"
            )
        for info in members:
            if not _safe_member(info.filename):
                raise UnusableInput(
                    f"{archive.name}: entry {info.filename!r} has an absolute path or '..'; "
                    "the archive was refused and nothing was extracted"
                )
        declared = sum(i.file_size for i in members)
        packed = sum(i.compress_size for i in members)
        if declared > MAX_UNZIPPED_BYTES:
            raise UnusableInput(
                f"{archive.name} would expand to {declared:,} bytes (limit {MAX_UNZIPPED_BYTES:,})"
            )
        if declared > 10 * 1024**2 and declared > _MAX_RATIO * max(packed, 1):
            raise UnusableInput(
                f"{archive.name} is compressed {declared // max(packed, 1)}:1 "
                "as a whole (a zip bomb?)"
            )
        written = 0
        for info in members:
            if info.is_dir():
                continue
            if (
                info.compress_size
                and info.file_size / info.compress_size > _MAX_RATIO
                and (info.file_size > 10 * 1024**2)
            ):
                raise UnusableInput(
                    f"{archive.name}: {info.filename} is compressed "
                    f"{info.file_size // info.compress_size}:1 (a zip bomb?)"
                )
            out = target / PurePosixPath(info.filename.replace("\\", "/"))
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):  # never trust the declared size
                        written += len(chunk)
                        if written > MAX_UNZIPPED_BYTES:
                            raise UnusableInput(
                                f"{archive.name} expands past {MAX_UNZIPPED_BYTES:,} bytes"
                            )
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
                raise UnusableInput(f"{archive.name}: {info.filename} is damaged: {exc}") from None


def _submission_folder(root: Path) -> Path:
    """The folder holding the tables: the root, or its single sub-folder."""
    if (root / MANIFEST_FILE).exists() or any(root.glob("*.csv")) or any(root.glob("*.parquet")):
        return root
    subdirs = [
        p
        for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith("__MACOSX")
    ]
    return subdirs[0] if len(subdirs) == 1 else root


@contextmanager
def open_submission(path: Path | str) -> Iterator[Path]:
    """The folder of a submission; a .zip is extracted into a temporary folder first."""
    path = Path(path)
    if not path.exists():
        raise UnusableInput(f"{path} does not exist")
    if path.is_dir():
        yield _submission_folder(path)
        return
    if not path.is_file():  # a pipe or a device would block the reader
        raise UnusableInput(f"{path} is not a regular file or folder")
    if not zipfile.is_zipfile(path):
        raise UnusableInput(f"{path} is neither a submission folder nor a .zip of one")
    tmp = Path(tempfile.mkdtemp(prefix="vte-registry-"))
    try:
        _extract(path, tmp)
        yield _submission_folder(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- CSV -------------------------------------------------------------------------------------
#: More lines than this in another encoding: also one finding for the file saying what to do.
_ENCODING_LINES_SHOWN = 10
_SAVE_AS = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"


def _shown_char(raw: bytes, start: int) -> str:
    """The offending byte, and the character it is in Windows-1252 (what Excel writes)."""
    byte = raw[start : start + 1]
    try:
        char = byte.decode("cp1252")
    except UnicodeDecodeError:
        return f"byte 0x{byte.hex()}"
    return f"byte 0x{byte.hex()} ({char!r} in Windows-1252)"


def _decode(data: bytes, file: str, table: str, findings: list[Finding]) -> tuple[str, set[int]]:
    """UTF-8 text (BOM dropped); lines that are not UTF-8 are reported and blanked out."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), set()
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    header = next(csv.reader([lines[0].decode("utf-8", errors="replace").strip("\r")]), [])
    bad: set[int] = set()
    text_lines = []
    for number, raw in enumerate(lines, start=1):
        try:
            text_lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad.add(number)
            text = raw.decode("utf-8", errors="replace")
            try:
                cells = next(csv.reader([text.replace("\r", " ")]), [])
            except csv.Error:  # a broken line: name the row by what precedes the first comma
                cells = text.split(",")
            column = next((i for i, cell in enumerate(cells) if "\ufffd" in cell), None)
            name = (
                None
                if column is None
                else header[column].strip()
                if column < len(header)
                else f"column {column + 1}"
            )
            findings.append(
                finding(
                    "encoding-error",
                    f"{file} line {number}"
                    f"{'' if name is None else f', column {name}'}: {_shown_char(raw, exc.start)} "
                    f"is not UTF-8; the row was not read ({_SAVE_AS})",
                    table=table,
                    record_id=cells[0] if cells else None,
                    field=name,
                )
            )
            text_lines.append(text)
    if len(bad) > _ENCODING_LINES_SHOWN:  # every row is named above; this says what to do
        findings.append(
            finding(
                "encoding-error",
                f"{file}: {len(bad):,} lines are not UTF-8 (the file looks "
                f"saved in Windows-1252, as Excel's plain 'CSV' does): {_SAVE_AS}; those rows "
                "were not read",
                table=table,
            )
        )
    return "\n".join(text_lines), bad


def _other_delimiter(header: list[str]) -> str | None:
    """';' or tab when the header was written with it (Excel in many locales uses ';')."""
    if len(header) != 1:
        return None
    for delimiter, name in ((";", "';'"), ("\t", "tabs")):
        if delimiter in header[0]:
            return name
    return None


def _read_csv(path: Path, data: bytes, table: str, findings: list[Finding]) -> RawTable | None:
    if not data.strip():
        findings.append(
            finding("unreadable-file", f"{path.name} is empty (not even a header)", table=table)
        )
        return None
    if b"\x00" in data:
        findings.append(
            finding(
                "unreadable-file",
                f"{path.name} contains NUL bytes: it is damaged or not a CSV file",
                table=table,
            )
        )
        return None
    text, bad_lines = _decode(data, path.name, table, findings)
    with _field_limit(len(text) + 1):
        return _parse_csv(path, text, bad_lines, table, findings)


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    # csv stops a whole file at its first cell over 128 KiB: read any cell (the file's size
    # bounds it) so that an over-long value is one finding on its row, not a lost table.
    previous = csv.field_size_limit(max(limit, csv.field_size_limit()))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _parse_csv(
    path: Path, text: str, bad_lines: set[int], table: str, findings: list[Finding]
) -> RawTable | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        findings.append(
            finding("unreadable-file", f"{path.name}: no header row ({exc})", table=table)
        )
        return None
    if (delimiter := _other_delimiter(header)) is not None:
        findings.append(
            finding(
                "unreadable-file",
                f"{path.name} is separated by {delimiter}, not commas (as Excel "
                f"saves CSV in many locales): {_SAVE_AS}; the file was not read",
                table=table,
            )
        )
        return None
    raw = RawTable(table, path.name, [h.strip() for h in header])
    width = len(header)
    previous_end = 1
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            index = len(raw.rows)
            if len(cells) != width:
                findings.append(
                    finding(
                        "unreadable-file",
                        f"{path.name} line {start}: {len(cells)} cells where the header has "
                        f"{width}; the row was not read",
                        table=table,
                        row=index + 1,
                        record_id=cells[0],
                    )
                )
                raw.excluded.add(index)
            if any(line in bad_lines for line in range(start, previous_end + 1)):
                raw.excluded.add(index)
            # Trimmed, blank cells dropped: the CSV conventions parse_rows expects.
            raw.rows.append(
                {c: v for c, cell in zip(raw.columns, cells, strict=False) if (v := cell.strip())}
            )
            raw.lines.append(start)
    except csv.Error as exc:
        findings.append(
            finding(
                "unreadable-file",
                f"{path.name} line {reader.line_num}: {exc}; reading stopped",
                table=table,
            )
        )
    return raw


def _read_parquet(path: Path, data: bytes, table: str, findings: list[Finding]) -> RawTable | None:
    import pyarrow.parquet as pq

    try:
        parsed = pq.read_table(io.BytesIO(data))
    except Exception as exc:
        findings.append(
            finding(
                "unreadable-file",
                f"{path.name} is not a readable Parquet file: {str(exc).splitlines()[0][:200]}",
                table=table,
            )
        )
        return None
    raw = RawTable(table, path.name, list(parsed.column_names))
    columns = []
    for column in parsed.columns:
        values = column.to_pylist()
        columns.append(["" if v is None else _text(v) for v in values])
    for index, cells in enumerate(zip(*columns, strict=True)):
        raw.rows.append(
            {c: v for c, cell in zip(raw.columns, cells, strict=True) if (v := cell.strip())}
        )
        raw.lines.append(index + 1)
    return raw


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _check_columns(raw: RawTable, findings: list[Finding]) -> None:
    spec = table_spec(raw.name)
    expected = spec.fields
    seen: set[str] = set()
    for position, column in enumerate(raw.columns, start=1):
        if column in seen:
            findings.append(
                finding(
                    "unknown-column",
                    f"{raw.file}: column {column!r} appears twice "
                    f"(again at position {position}); only the first is read",
                    table=raw.name,
                    field=column,
                )
            )
        elif column not in expected:
            findings.append(
                finding(
                    "unknown-column",
                    f"{raw.file}: column {column!r} (position {position}) is not "
                    f"part of {raw.name}; it was not read (it might carry identifiers)",
                    table=raw.name,
                    field=column,
                )
            )
        seen.add(column)
    for column in expected:
        if column not in seen:
            raw.missing_columns.append(column)
            findings.append(
                finding(
                    "missing-column",
                    f"{raw.file} has no column {column!r}; its values are read as missing",
                    table=raw.name,
                    field=column,
                )
            )
    keep = [c for c in expected if c in seen]
    for column in seen - set(expected):
        raw.unknown_values[column] = [row.get(column, "") for row in raw.rows]
    if len(keep) != len(raw.columns):  # only the table's own columns travel on
        wanted = set(keep)
        for i, row in enumerate(raw.rows):
            raw.rows[i] = {c: v for c, v in row.items() if c in wanted}


class SubmissionReader:
    """Reads a submission folder table by table, so that only one table is in memory.

    ``manifest``, ``manifest_raw`` and the listing's findings are known at once; the reading
    findings and ``file_sha256`` fill in as ``tables()`` is consumed, ``not_submitted`` at
    its end."""

    def __init__(self, folder: Path, source: Path) -> None:
        self.folder = folder
        self.source = source
        self.listing = list_folder(folder)
        read = read_manifest(self.listing)
        self.manifest: Manifest | None = read.manifest
        self.manifest_raw: dict[str, Any] | None = read.raw
        self.findings: list[Finding] = read.findings + self.listing.findings
        self.file_sha256: dict[str, str] = {}
        self.not_submitted: list[str] = []
        if self.listing.manifest is not None:
            self.file_sha256[MANIFEST_FILE] = _sha256(self.listing.manifest)

    def tables(self) -> Iterator[RawTable]:
        for spec in TABLES:
            path = self.listing.tables.get(spec.name)
            if path is None:
                continue
            raw: RawTable | None = None
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.findings.append(
                    finding("unreadable-file", f"{path.name}: {exc.strerror}", table=spec.name)
                )
                continue
            digest = hashlib.sha256(data).hexdigest()
            self.file_sha256[path.name] = digest
            raw = (_read_csv if path.suffix == ".csv" else _read_parquet)(
                path, data, spec.name, self.findings
            )
            del data
            self.findings += check_table(
                self.manifest, spec.name, path.name, None if raw is None else len(raw.rows), digest
            )
            if raw is not None:
                _check_columns(raw, self.findings)
                yield raw
        missing, self.not_submitted = check_unread_tables(self.manifest, self.listing)
        self.findings += missing
        if "patients" not in self.listing.tables and not any(
            f.table == "patients" for f in missing
        ):
            self.findings.append(
                finding(
                    "unreadable-file",
                    "patients.csv (or .parquet) is missing: every submission has patients",
                    table="patients",
                )
            )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_submission(path: Path | str) -> Submission:
    """Read a whole submission folder or .zip into memory (UnusableInput if it is not one).

    Validation streams tables instead (``SubmissionReader``); this is for small ones."""
    with open_submission(Path(path)) as folder:
        reader = SubmissionReader(folder, Path(path))
        tables = {raw.name: raw for raw in reader.tables()}
        return Submission(
            Path(path),
            reader.manifest,
            reader.manifest_raw,
            tables,
            reader.findings,
            reader.file_sha256,
            reader.not_submitted,
        )
