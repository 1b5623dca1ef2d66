"""The manifest of a site's own files: ``vte-registry manifest PATH --site SITE --cutoff DATE``
writes a schema 1.1 manifest for the table files in a folder (inventory, a new
submission_id, created_at now), and ``--refresh`` rewrites the inventory of an existing one
after the files were edited (saved as UTF-8, corrected), keeping its site, cutoff and
generator.

The files are listed and counted exactly as the validator lists and reads them
(``inventory.list_folder``, ``table_files``), so a manifest made here agrees with the
validator by construction; and it never hides a problem the validator would report: a folder
with no table file, an unknown file, two files of one table or a file it cannot read is
refused (``ManifestRefused``, one line), not listed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from registry.models import TABLES, Manifest
from registry.submission import MANIFEST_FILE, inventory, write_manifest
from registry.validation.inputs import UnusableInput, submission_kind
from registry.validation.inventory import list_folder
from registry.validation.table_files import read_csv, read_parquet
from registry.version import SCHEMA_VERSION, __version__

__all__ = ["ManifestRefused", "ManifestWritten", "make_manifest", "refresh_manifest"]


class ManifestRefused(UnusableInput):
    """No manifest could be made for the folder (the message says why): exit code 2."""


@dataclass(frozen=True)
class ManifestWritten:
    path: Path
    manifest: Manifest
    #: Tables whose inventory entry (rows or SHA-256) differs from the manifest before.
    changed: list[str]


def _rows(folder: Path) -> dict[str, int]:
    """Data rows of every table file of ``folder``, as the validator counts them; refuses
    what the validator would report about the folder's files."""
    if submission_kind(folder) != "folder":
        raise ManifestRefused(f"{folder} is a .zip: make the manifest in the folder, then zip it")
    listing = list_folder(folder)
    if listing.findings:
        raise ManifestRefused(f"{folder}: {listing.findings[0].message}")
    if not listing.tables:
        names = ", ".join(f"{spec.name}.csv" for spec in TABLES[:2])
        raise ManifestRefused(f"{folder} holds no table file ({names}, ...)")
    rows = {}
    for name, path in listing.tables.items():
        findings: list[Any] = []
        data = path.read_bytes()
        reader = read_csv if path.suffix == ".csv" else read_parquet
        raw = reader(path, data, name, findings)
        if raw is None:
            reason = findings[0].message if findings else "it cannot be read"
            raise ManifestRefused(f"{path}: {reason}")
        rows[name] = len(raw.rows)
    return rows


def _write(folder: Path, head: dict[str, Any], before: dict[str, Any] | None) -> ManifestWritten:
    tables = inventory(folder, _rows(folder))
    body = {**head, "schema_version": SCHEMA_VERSION, "tables": tables}
    try:
        manifest = Manifest.model_validate_json(json.dumps(body), strict=True)
    except ValidationError as exc:  # a site ID or cutoff that no manifest may hold
        first = exc.errors(include_url=False)[0]
        where = (first.get("ctx") or {}).get("field") or ".".join(map(str, first["loc"]))
        raise ManifestRefused(f"the manifest would not be valid: {where}: {first['msg']}") from None
    path = write_manifest(folder, head, tables)
    changed = [name for name, entry in tables.items() if (before or {}).get(name) != entry]
    return ManifestWritten(path, manifest, changed)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def make_manifest(
    folder: Path | str,
    site: str,
    cutoff: dt.date | str,
    submission_id: uuid.UUID | str | None = None,
) -> ManifestWritten:
    """Write ``manifest.json`` (schema 1.1) for the table files in ``folder``: its inventory,
    ``submission_id`` (a new one by default), ``created_at`` now. Raises ManifestRefused."""
    folder = Path(folder)
    head = {
        "site_id": site,
        "submission_id": str(submission_id or uuid.uuid4()),
        "data_cutoff_date": cutoff if isinstance(cutoff, str) else cutoff.isoformat(),
        "created_at": _now(),
        "generator": f"all-vte-registry {__version__} manifest",
    }
    return _write(folder, head, None)


def refresh_manifest(folder: Path | str) -> ManifestWritten:
    """Rewrite the inventory of ``folder``'s manifest after its files changed, keeping its
    site, cutoff and generator; a new submission_id and created_at (the files are another
    submission now). Raises ManifestRefused."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise ManifestRefused(f"{path} does not exist: make one with --site and --cutoff")
    try:
        old = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ManifestRefused(f"{path} cannot be read: {str(exc)[:200]}") from None
    if not isinstance(old, dict) or old.get("schema_version") != SCHEMA_VERSION:
        raise ManifestRefused(
            f"{path} is not a {SCHEMA_VERSION} manifest (a 1.0 manifest has no inventory): "
            "make one with --site and --cutoff"
        )
    missing = [k for k in ("site_id", "data_cutoff_date", "generator") if k not in old]
    if missing:
        raise ManifestRefused(f"{path} has no {', '.join(missing)}: make one with --site")
    head = {
        "site_id": old["site_id"],
        "submission_id": str(uuid.uuid4()),
        "data_cutoff_date": old["data_cutoff_date"],
        "created_at": _now(),
        "generator": old["generator"],
    }
    before = old.get("tables") if isinstance(old.get("tables"), dict) else None
    return _write(folder, head, before)
