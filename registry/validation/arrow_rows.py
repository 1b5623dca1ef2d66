"""Plain CSV files read column-wise by Arrow, and their rows as dicts only where needed.

Most files sites send are plain: ASCII (after Excel's BOM, if any), no quoting, one row a
line, the table's own header. Arrow's C++ reader takes those about twenty times faster than
Python's csv module and keeps them as columns of text (a tenth of the memory of a dict per
row), which the column-wise conformance (``vector.py``) and DuckDB staging read without
making Python objects.

``read_plain_csv`` takes a file only when every way it could differ from Python's csv
module is ruled out first; anything else (quotes, another encoding, blank or ragged lines,
control characters, a header that is not exactly the table's fields) returns None and is read
by ``table_files`` as before, with its findings. The two readers give the same rows
(``tests/validation/test_vector.py``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any, overload

__all__ = ["ArrowRows", "column", "pick", "read_plain_csv"]

#: Bytes that Python's ``str.strip`` removes from a cell's ends, beyond space and tab; a file
#: holding one is read by Python's csv module.
_OTHER_SPACE = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")


class ArrowRows(Sequence[dict[str, str]]):
    """A table's rows held as Arrow columns of text (null = blank cell); indexing gives the
    dict ``table_files`` would have read (trimmed, blank cells left out), a slice another
    ``ArrowRows`` without copying."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> ArrowRows: ...

    def __getitem__(self, index: int | slice) -> dict[str, str] | ArrowRows:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("rows are sliced in steps of 1")
            return ArrowRows(self.table.slice(start, max(stop - start, 0)))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return _dicts(self.table.slice(index, 1))[0]

    def __iter__(self) -> Iterator[dict[str, str]]:
        for batch in self.table.to_batches(max_chunksize=25_000):
            yield from _dicts(batch)

    def column(self, name: str) -> list[str | None]:
        """One column's cells (None = blank), or all None when the file lacks it."""
        if name not in self.table.column_names:
            return [None] * len(self)
        values: list[str | None] = self.table.column(name).to_pylist()
        return values


def _dicts(table: Any) -> list[dict[str, str]]:
    # column by column: several times faster than Arrow's own to_pylist of rows
    names = table.column_names
    columns = [c.to_pylist() for c in table.columns]
    return [
        {k: v for k, v in zip(names, cells, strict=True) if v is not None}
        for cells in zip(*columns, strict=True)
    ]


def column(rows: Sequence[dict[str, str]], name: str) -> list[str | None]:
    """One column's cells (None = blank) of rows as read."""
    if isinstance(rows, ArrowRows):
        return rows.column(name)
    return [row.get(name) for row in rows]


def pick(rows: Sequence[dict[str, str]], positions: list[int]) -> list[dict[str, str]]:
    """The rows at ``positions`` as dicts (one Arrow take for ``ArrowRows``)."""
    if isinstance(rows, ArrowRows):
        import pyarrow as pa

        if not positions:
            return []
        return _dicts(rows.table.take(pa.array(positions, pa.int64())))
    return [rows[i] for i in positions]


def _plain(data: bytes) -> bool:
    """No byte in ``data`` that Python's csv module and Arrow could read differently."""
    if not data.isascii() or b'"' in data or b"\x00" in data:
        return False
    if data.count(b"\r") != data.count(b"\r\n"):
        return False  # a carriage return that does not end a line
    if data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data:
        return False  # a blank line (Python's reader skips it, and line numbers shift)
    return not any(byte in data for byte in _OTHER_SPACE)


def read_plain_csv(data: bytes, fields: Sequence[str]) -> tuple[list[str], ArrowRows] | None:
    """(header, rows) of a plain CSV file whose header holds exactly ``fields`` (in any
    order), or None when the file is not plain (``table_files`` then reads it)."""
    if data.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" starts with a BOM
        data = data[3:]
    if not _plain(data):
        return None
    end = data.find(b"\n")
    header_line = (data if end < 0 else data[:end]).rstrip(b"\r").decode("ascii")
    raw_header = header_line.split(",")
    header = [h.strip() for h in raw_header]
    if len(set(header)) != len(header) or set(header) != set(fields):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=",", quote_char=False, double_quote=False, escape_char=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # a row with another number of cells: Python's reader reports it
    columns = {}
    for name in header:
        text = pc.utf8_trim(table.column(name), characters=" \t")
        columns[name] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return header, ArrowRows(pa.table(columns))
