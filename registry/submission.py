"""Submission folders on disk: one ``<table>.csv`` (or ``.parquet``) per table plus
``manifest.json`` with the inventory of the files (schema 1.1). This module writes them;
``registry.validation.reading`` reads them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from registry import csvfile
from registry.export.common import field_facts
from registry.models import TABLES
from registry.version import SCHEMA_VERSION

__all__ = [
    "MANIFEST_FILE",
    "Format",
    "file_sha256",
    "format_value",
    "inventory",
    "write_manifest",
    "write_submission",
]

MANIFEST_FILE = "manifest.json"
Format = Literal["csv", "parquet"]


def format_value(value: Any) -> str:
    """A value as CSV text: empty for missing, true/false, ISO dates, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def inventory(folder: Path, rows: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """The manifest's ``tables``: every table with its data rows and its file's SHA-256
    (null for a table with no rows and no file)."""
    out: dict[str, dict[str, Any]] = {}
    for spec in TABLES:
        files = [
            p for p in (folder / f"{spec.name}.csv", folder / f"{spec.name}.parquet") if p.is_file()
        ]
        out[spec.name] = {
            "rows": int(rows.get(spec.name, 0)),
            "sha256": file_sha256(files[0]) if files else None,
        }
    return out


def write_manifest(
    folder: Path, manifest: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]
) -> Path:
    """manifest.json of schema SCHEMA_VERSION: ``manifest``'s keys plus the inventory."""
    body = {
        **dict(manifest),
        "schema_version": SCHEMA_VERSION,
        "tables": {name: dict(entry) for name, entry in tables.items()},
    }
    path = folder / MANIFEST_FILE
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8", newline="\n")
    return path


def _write_csv(
    path: Path,
    fields: list[str],
    rows: Iterable[Mapping[str, Any]],
    extra: list[str] | None = None,
    dropped: list[str] | None = None,
) -> None:
    header = [f for f in fields if f not in (dropped or [])] + (extra or [])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvfile.writer(handle)
        writer.writerow(header)
        writer.writerows([format_value(row.get(f)) for f in header] for row in rows)


_ARROW_TYPES = {
    "str": "string",
    "code": "string",
    "int": "int64",
    "decimal": "float64",
    "date": "date32",
    "bool": "bool_",
    "datetime": "string",
}


def _write_parquet(path: Path, name: str, rows: list[Mapping[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = next(s for s in TABLES if s.name == name)
    columns, types = {}, []
    for field_name, info in spec.record.model_fields.items():
        kind = field_facts(field_name, info).kind
        arrow_type = getattr(pa, _ARROW_TYPES[kind])()
        values = [row.get(field_name) for row in rows]
        if kind == "code":
            values = [None if v is None else str(getattr(v, "value", v)) for v in values]
        try:
            column = pa.array(values, type=arrow_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # A value that does not fit the type (a planted defect): the column goes as text.
            arrow_type = pa.string()
            column = pa.array(
                [None if v is None else format_value(v) for v in values], type=arrow_type
            )
        columns[field_name] = column
        types.append(pa.field(field_name, arrow_type))
    table = pa.Table.from_pydict(columns, schema=pa.schema(types))
    pq.write_table(table, path, compression="zstd")


def write_submission(
    folder: Path,
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    manifest: Mapping[str, Any],
    fmt: Format = "csv",
    extra_columns: Mapping[str, list[str]] | None = None,
    dropped_columns: Mapping[str, list[str]] | None = None,
) -> list[Path]:
    """Write every table (header-only when empty) and the manifest with the inventory of
    what was written; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in TABLES:
        rows = tables.get(spec.name, [])
        if fmt == "parquet":
            path = folder / f"{spec.name}.parquet"
            _write_parquet(path, spec.name, list(rows))
        else:
            path = folder / f"{spec.name}.csv"
            _write_csv(
                path,
                spec.fields,
                rows,
                (extra_columns or {}).get(spec.name),
                (dropped_columns or {}).get(spec.name),
            )
        written.append(path)
    counts = {name: len(rows) for name, rows in tables.items()}
    written.append(write_manifest(folder, manifest, inventory(folder, counts)))
    return written
