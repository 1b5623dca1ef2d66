"""Reading one table file, CSV (UTF-8, with or without BOM) or Parquet, into rows of
text. Nothing here raises on bad content: a damaged or empty file, another encoding or
delimiter, duplicate, unknown or missing columns all become findings that name the
file, line and column."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.models import TABLE_NAMES, table_spec
from registry.validation.arrow_rows import ArrowRows, read_plain_csv
from registry.validation.findings import Finding, finding
from registry.version import SCHEMA_VERSION
from registry.visible import BIDI_CONTROLS

__all__ = [
    "FORBIDDEN_CHARACTERS",
    "RawTable",
    "check_characters",
    "check_columns",
    "read_csv",
    "read_parquet",
]

#: Characters no cell may hold, whatever the file's format (ranges of code points): the C0
#: and C1 control characters (NUL among them, which PostgreSQL refuses in text; tab, line
#: feed and carriage return excepted) and the Unicode bidirectional overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069), which make text display in another order than stored.
FORBIDDEN_CHARACTERS = (
    (0x00, 0x08),
    (0x0B, 0x0C),
    (0x0E, 0x1F),
    (0x7F, 0x9F),
    *BIDI_CONTROLS,
)
_FORBIDDEN = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in FORBIDDEN_CHARACTERS) + "]"
)
#: The same class for Arrow's regular expressions (RE2).
_FORBIDDEN_RE2 = (
    "[" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in FORBIDDEN_CHARACTERS) + "]"
)


@dataclass
class RawTable:
    """A table as read: rows of text (trimmed; blank cells left out), with their file line
    numbers."""

    name: str
    file: str
    columns: list[str]
    rows: Sequence[dict[str, str]] = field(default_factory=list)
    lines: Sequence[int] = field(default_factory=list)
    #: Rows that could not be decoded: excluded from validation, reported as findings.
    excluded: set[int] = field(default_factory=set)
    #: Columns of the table that the file lacks.
    missing_columns: list[str] = field(default_factory=list)
    #: Values of columns the table does not define (kept only for the PHI scan).
    unknown_values: dict[str, list[str]] = field(default_factory=dict)


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


def _header_cells(line: bytes) -> list[str]:
    """The header's cells, as well as they can be read (for naming columns in findings)."""
    text = line.decode("utf-8", errors="replace").replace("\r", " ")
    try:
        return next(csv.reader([text]), [])
    except csv.Error:  # a broken header: name columns by position instead
        return []


def _decode(data: bytes, file: str, table: str, findings: list[Finding]) -> tuple[str, set[int]]:
    """UTF-8 text (BOM dropped); lines that are not UTF-8 are reported and blanked out."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), set()
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    header = _header_cells(lines[0])
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


def read_csv(
    path: Path, data: bytes, table: str, findings: list[Finding], columnar: bool = True
) -> RawTable | None:
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
    # the common case of a registry table, read by Arrow (arrow_rows.py); survey and REDCap
    # exports, and anything unusual, by Python's csv module below
    plain = None
    if columnar and table in TABLE_NAMES:
        plain = read_plain_csv(data, table_spec(table).fields)
    if plain is not None:
        header, rows = plain
        # one line a row after the header (a plain file has no blank lines or quotes)
        return RawTable(table, path.name, header, rows, range(2, len(rows) + 2))
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
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    raw = RawTable(table, path.name, [h.strip() for h in header], rows, lines)
    width = len(header)
    previous_end = 1
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            index = len(rows)
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
            rows.append(
                {c: v for c, cell in zip(raw.columns, cells, strict=False) if (v := cell.strip())}
            )
            lines.append(start)
    except csv.Error as exc:
        findings.append(
            finding(
                "unreadable-file",
                f"{path.name} line {reader.line_num}: {exc}; reading stopped",
                table=table,
            )
        )
    return raw


def read_parquet(path: Path, data: bytes, table: str, findings: list[Finding]) -> RawTable | None:
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
    rows: list[dict[str, str]] = []
    raw = RawTable(table, path.name, list(parsed.column_names), rows, range(1, parsed.num_rows + 1))
    columns = []
    for name, column in zip(parsed.column_names, parsed.columns, strict=True):
        try:
            values = column.to_pylist()
        except (ValueError, OverflowError, ArithmeticError) as exc:  # a date past year 9999
            findings.append(
                finding(
                    "unreadable-file",
                    f"{path.name}: column {name} holds a value that cannot be read "
                    f"({str(exc).splitlines()[0][:120]}): a date out of the calendar?",
                    table=table,
                    field=name,
                )
            )
            return None
        columns.append(["" if v is None else _text(v) for v in values])
    for cells in zip(*columns, strict=True):
        rows.append(
            {c: v for c, cell in zip(raw.columns, cells, strict=True) if (v := cell.strip())}
        )
    return raw


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _candidates(rows: Sequence[dict[str, str]]) -> Sequence[int]:
    """Rows that may hold a forbidden character: all of them, or those Arrow finds."""
    if not isinstance(rows, ArrowRows):
        return range(len(rows))
    import pyarrow.compute as pc

    hits = None
    for column in rows.table.columns:
        found = pc.fill_null(pc.match_substring_regex(column, _FORBIDDEN_RE2), False)
        hits = found if hits is None else pc.or_(hits, found)
    if hits is None:
        return []
    return [int(i) for i in pc.indices_nonzero(hits).to_pylist()]


def _named(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character')})"


def check_characters(raw: RawTable, findings: list[Finding], id_field: str | None) -> None:
    """Text from any format is held to the same rule: a cell holding a forbidden character
    (``FORBIDDEN_CHARACTERS``) is a finding naming its row and column, and its row is not
    read (so nothing the validator passes can fail the database)."""
    rows = raw.rows
    for index in _candidates(rows):
        if index in raw.excluded:
            continue
        row = rows[index]
        for column, value in row.items():
            if (match := _FORBIDDEN.search(value)) is None:
                continue
            findings.append(
                finding(
                    "encoding-error",
                    f"{raw.file} row {index + 1}, column {column}: holds "
                    f"{_named(match.group())}, which text may not hold; the row was not read",
                    table=raw.name,
                    row=index + 1,
                    record_id=(row.get(id_field) if id_field else None) or None,
                    field=column,
                    value=value.encode("unicode_escape").decode("ascii"),
                )
            )
            raw.excluded.add(index)
            break


def check_columns(raw: RawTable, findings: list[Finding], version: str = SCHEMA_VERSION) -> None:
    """Columns against the table's fields in the submission's schema ``version``."""
    spec = table_spec(raw.name)
    expected = spec.fields_in(version)
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
                    f"part of {raw.name}"
                    + (f" in schema {version}" if version != SCHEMA_VERSION else "")
                    + "; it was not read (it might carry identifiers)",
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
        raw.rows = [{c: v for c, v in row.items() if c in wanted} for row in raw.rows]
