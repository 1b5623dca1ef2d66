"""``vte-registry export fhir``: a submission or the registry database as FHIR R4 resources,
one NDJSON file per resource type (the Bulk Data layout: ``Patient.ndjson``, ...).

A submission is validated first and exported only without error findings (its references
must resolve). Records are read in chunks and written as they come; the files appear in the
output folder only when all are complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, select

from registry.database.store import make_engine, require_registry
from registry.fhir.resources import BUILDERS, Seen
from registry.models import TABLES

__all__ = ["FhirExport", "FhirRefused", "export_fhir"]

CHUNK = 10_000


class FhirRefused(Exception):
    """The export cannot be made (one line says why)."""


@dataclass
class FhirExport:
    folder: Path
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def files(self) -> list[Path]:
        return [self.folder / f"{kind}.ndjson" for kind in sorted(self.counts)]


def _rows(connection: Connection, tables: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for spec in TABLES:
        if spec.name not in BUILDERS:
            continue
        table = tables[spec.name]
        query = select(*[table.c[f] for f in spec.fields])
        if "_valid" in table.c:
            query = query.where(table.c._valid.is_(True))
        query = query.order_by(table.c[spec.id_field])
        for chunk in connection.execute(query).mappings().partitions(CHUNK):
            for row in chunk:
                yield spec.name, dict(row)


def _write(rows: Iterator[tuple[str, dict[str, Any]]], out: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fhir-", dir=out.parent))
    handles: dict[str, IO[str]] = {}
    seen = Seen()
    try:
        for table, row in rows:
            for resource in BUILDERS[table](row, seen):
                kind = resource["resourceType"]
                if kind not in handles:
                    handles[kind] = (work / f"{kind}.ndjson").open("w", encoding="utf-8")
                handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
                counts[kind] += 1
        for handle in handles.values():
            handle.close()
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob("*.ndjson"):  # a previous export's files of other types
            stale.unlink()
        for kind in counts:
            os.replace(work / f"{kind}.ndjson", out / f"{kind}.ndjson")
    finally:
        for handle in handles.values():
            handle.close()
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _from_database(url: str | None, out: Path) -> Counter[str]:
    engine: Engine = make_engine(url)
    try:
        require_registry(engine)
        with engine.connect() as connection:
            return _write(_rows(connection, {s.name: s.sql_table for s in TABLES}), out)
    finally:
        engine.dispose()


def _from_submission(path: Path, out: Path) -> Counter[str]:
    from registry.validation.staging import staging_engine, staging_metadata
    from registry.validation.validate import valid_submission

    with valid_submission(path) as checked:
        _, staged = staging_metadata()
        staging = staging_engine(checked.staging)
        try:
            with staging.connect() as connection:
                return _write(_rows(connection, staged), out)
        finally:
            staging.dispose()


def export_fhir(
    out: Path | str, submission: Path | str | None = None, url: str | None = None
) -> FhirExport:
    """Export ``submission`` (a folder or .zip), or else the registry database at ``url``,
    as FHIR R4 NDJSON into ``out``."""
    started = time.perf_counter()
    out = Path(out)
    if submission is not None:
        counts = _from_submission(Path(submission), out)
    else:
        counts = _from_database(url, out)
    return FhirExport(out, counts, round(time.perf_counter() - started, 2))
