"""Reading a submission: a folder or a .zip; CSV (UTF-8, with or without BOM) or Parquet.

Nothing here raises on bad content: a damaged or empty file, another encoding, duplicate,
unknown or missing columns all become findings that name the file, line and column. Only
input that cannot be a submission at all (no such path, an unsafe or corrupt zip) raises
``UnusableInput`` (exit code 2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.models import TABLES, Manifest
from registry.models.versions import added_after
from registry.submission import MANIFEST_FILE
from registry.validation.archive import MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES, open_submission
from registry.validation.findings import Finding, finding
from registry.validation.inventory import (
    UnusableInput,
    check_table,
    check_unread_tables,
    list_folder,
    read_manifest,
)
from registry.validation.table_files import (
    RawTable,
    check_characters,
    check_columns,
    read_csv,
    read_parquet,
)
from registry.version import READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION

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


class SubmissionReader:
    """Reads a submission folder table by table, so that only one table is in memory.

    ``manifest``, ``manifest_raw`` and the listing's findings are known at once; the reading
    findings and ``file_sha256`` fill in as ``tables()`` is consumed, ``not_submitted`` at
    its end."""

    def __init__(self, folder: Path, source: Path, problems: list[Finding] | None = None) -> None:
        self.folder = folder
        self.source = source
        self.listing = list_folder(folder)
        read = read_manifest(self.listing)
        self.manifest: Manifest | None = read.manifest
        self.manifest_raw: dict[str, Any] | None = read.raw
        #: ``problems``: the entries of a .zip that could not be extracted (open_submission)
        self.findings: list[Finding] = [*(problems or []), *read.findings, *self.listing.findings]
        #: Plain CSV files read by Arrow into columns (large submissions: ``validate.py``).
        self.columnar = True
        self.file_sha256: dict[str, str] = {}
        self.not_submitted: list[str] = []
        #: Tables the submission has (or should have) that could not be read: a file that
        #: is damaged, empty, not comma-separated or misnamed, or one the manifest lists
        #: rows for and that is missing. Filled in as ``tables()`` is consumed.
        self.unread: list[str] = []
        if self.listing.manifest is not None:
            self.file_sha256[MANIFEST_FILE] = _sha256(self.listing.manifest)
        #: The schema version the tables are read as: the manifest's (a manifest that could
        #: not be read is taken at its word when it names a readable version).
        said = (self.manifest_raw or {}).get("schema_version")
        self.version: str = (
            self.manifest.schema_version
            if self.manifest is not None
            else said
            if said in READABLE_SCHEMA_VERSIONS
            else SCHEMA_VERSION
        )

    def tables(self) -> Iterator[RawTable]:
        for spec in TABLES:
            path = self.listing.tables.get(spec.name)
            if path is None:
                continue
            if added_after(spec.since, self.version):
                self.findings.append(
                    finding(
                        "manifest-mismatch",
                        f"{path.name}: {spec.name} is not a table of schema {self.version} (its "
                        f"manifest's schema_version); it was not read",
                        table=spec.name,
                    )
                )
                continue
            raw: RawTable | None = None
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.findings.append(
                    finding("unreadable-file", f"{path.name}: {exc.strerror}", table=spec.name)
                )
                self.unread.append(spec.name)
                continue
            digest = hashlib.sha256(data).hexdigest()
            self.file_sha256[path.name] = digest
            if path.suffix == ".csv":
                raw = read_csv(path, data, spec.name, self.findings, self.columnar)
            else:
                raw = read_parquet(path, data, spec.name, self.findings)
            del data
            self.findings += check_table(
                self.manifest, spec.name, path.name, None if raw is None else len(raw.rows), digest
            )
            if raw is None:
                self.unread.append(spec.name)
                continue
            check_columns(raw, self.findings, self.version)
            check_characters(raw, self.findings, spec.id_field)
            yield raw
            raw = None  # the caller's table leaves memory before the next is read
        missing, self.not_submitted = check_unread_tables(self.manifest, self.listing)
        self.findings += missing
        misnamed = set(self.listing.near_misses) - set(self.listing.tables)
        self.unread += [f.table for f in missing if f.table and f.table not in self.unread]
        self.unread += sorted(misnamed - set(self.unread))
        self.not_submitted = [t for t in self.not_submitted if t not in self.unread]
        if "patients" not in self.listing.tables and "patients" not in self.unread:
            self.unread.append("patients")
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
    problems: list[Finding] = []
    with open_submission(Path(path), problems) as folder:
        reader = SubmissionReader(folder, Path(path), problems)
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
