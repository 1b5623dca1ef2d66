"""What a submission folder holds, and whether it is what the manifest says (rule
``manifest-mismatch``, shared/spec/registry.md "manifest.json").

Only regular files inside the folder are read: FIFOs, devices, sockets and links that leave
the folder are refused (a finding each), so reading can neither block nor escape. Files the
format does not know are findings, never ignored, except the litter operating systems leave
in folders and archives (``.DS_Store``, ``Thumbs.db``, ``__MACOSX/``, ``._*``).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from registry.models import TABLE_NAMES, Manifest
from registry.submission import MANIFEST_FILE
from registry.validation.conformance import error_rule
from registry.validation.findings import Finding, finding
from registry.validation.inputs import UnusableInput

__all__ = [
    "MAX_MANIFEST_BYTES",
    "MAX_SUBMISSION_BYTES",
    "Listing",
    "ManifestRead",
    "check_table",
    "check_unread_tables",
    "list_folder",
    "read_manifest",
]

#: Upper bound on what a submission may hold (a folder, or what a .zip expands to). A
#: submission of 100,000 patients is about 150 MB of CSV; the bound keeps memory bounded too.
MAX_SUBMISSION_BYTES = 1024**3
#: A manifest is a few KB; anything much larger is not one.
MAX_MANIFEST_BYTES = 1024**2
_OS_LITTER = {".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"}
_SUFFIXES = (".csv", ".parquet")


@dataclass
class Listing:
    """The files of a submission folder: the one to read per table, and the findings."""

    folder: Path
    manifest: Path | None = None
    tables: dict[str, Path] = field(default_factory=dict)
    #: Files named like a table but not as the format says (``Patients.CSV``): table -> name.
    near_misses: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _mismatch(message: str, table: str = "manifest", name: str | None = None) -> Finding:
    return finding("manifest-mismatch", message, table=table, field=name)


def _regular(folder: Path, entry: os.DirEntry[str], listing: Listing) -> bool:
    """True when ``entry`` is a regular file inside ``folder`` (a link to one counts)."""
    if entry.is_symlink():
        try:
            target = Path(entry.path).resolve()
        except (OSError, RuntimeError):  # Python 3.11 says RuntimeError for a loop
            target = Path(entry.path)  # os.stat below says what is wrong with it
        if not target.is_relative_to(folder.resolve()):
            listing.findings.append(
                finding(
                    "unreadable-file",
                    f"{entry.name} is a link to a file outside the submission "
                    "folder: it was not read (copy the file itself in)",
                    table="manifest",
                    field=entry.name,
                )
            )
            return False
    try:
        mode = os.stat(entry.path).st_mode if entry.is_symlink() else entry.stat().st_mode
    except OSError as exc:  # a link that loops, or points at nothing; a file that vanished
        why = {
            errno.ELOOP: "is a link that loops",
            errno.ENOENT: "is a link to a file that is not there",
        }.get(exc.errno or 0, f"cannot be read ({exc.strerror})")
        listing.findings.append(
            finding(
                "unreadable-file",
                f"{entry.name} {why}: it was not read",
                table="manifest",
                field=entry.name,
            )
        )
        return False
    if stat.S_ISDIR(mode):
        listing.findings.append(
            _mismatch(
                f"folder {entry.name}/ inside the submission is not part of the format: not read",
                name=entry.name,
            )
        )
        return False
    if not stat.S_ISREG(mode):
        listing.findings.append(
            finding(
                "unreadable-file",
                f"{entry.name} is not a regular file (a pipe, device or socket): it was not read",
                table="manifest",
                field=entry.name,
            )
        )
        return False
    return True


def _table_of(name: str) -> str | None:
    """The table a near-miss file name points at: ``Patients.CSV``, ``lab_results.xlsx``."""
    stem = name.lower().split(".", 1)[0].strip()
    return stem if stem in TABLE_NAMES else None


def list_folder(folder: Path) -> Listing:
    """Sort the folder's entries into manifest, table files and findings.

    Raises ``UnusableInput`` when the files together exceed ``MAX_SUBMISSION_BYTES``."""
    listing = Listing(folder)
    candidates: dict[str, list[Path]] = {}
    total = 0
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise UnusableInput(f"{folder}: cannot list the folder ({exc.strerror})") from None
    for entry in entries:
        if entry.name in _OS_LITTER or entry.name.startswith("._"):
            continue
        if not _regular(folder, entry, listing):
            continue
        total += os.stat(entry.path).st_size
        if total > MAX_SUBMISSION_BYTES:
            raise UnusableInput(
                f"{folder} holds more than {MAX_SUBMISSION_BYTES:,} bytes: "
                "too large for one submission (split it by site or period)"
            )
        path = Path(entry.path)
        if entry.name == MANIFEST_FILE:
            listing.manifest = path
        elif path.suffix in _SUFFIXES and path.stem in TABLE_NAMES:
            candidates.setdefault(path.stem, []).append(path)
        elif (table := _table_of(entry.name)) is not None:
            listing.near_misses.setdefault(table, []).append(entry.name)
            listing.findings.append(
                _mismatch(
                    f"{entry.name} is not read: table files are named exactly {table}.csv or "
                    f"{table}.parquet (lower case; CSV or Parquet, not another format)",
                    table=table,
                    name=entry.name,
                )
            )
        else:
            listing.findings.append(
                _mismatch(
                    f"{entry.name} is not part of a submission (a leftover from another export?): "
                    "it was not read; remove it",
                    name=entry.name,
                )
            )
    for table, paths in candidates.items():
        listing.tables[table] = paths[0]
        if len(paths) > 1:
            listing.findings.append(
                _mismatch(
                    f"two files for {table}: {' and '.join(p.name for p in paths)}; only "
                    f"{paths[0].name} was read (keep one)",
                    table=table,
                    name=paths[1].name,
                )
            )
    return listing


# --- the manifest ----------------------------------------------------------------------------
@dataclass
class ManifestRead:
    manifest: Manifest | None
    raw: dict[str, Any] | None
    findings: list[Finding]


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _not_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _unreadable(message: str, key: str | None = None) -> ManifestRead:
    """``key``: a key of the manifest the message names (the PHI masking reads it there)."""
    found = finding("unreadable-file", f"{MANIFEST_FILE} {message}", table="manifest", field=key)
    return ManifestRead(None, None, [found])


def read_manifest(listing: Listing) -> ManifestRead:
    """The manifest, strictly: one finding when it is missing or not a JSON object (the
    checks that need it are then skipped), or a finding per invalid key."""
    path = listing.manifest
    if path is None:
        return ManifestRead(
            None,
            None,
            [
                _mismatch(
                    f"{MANIFEST_FILE} is missing: the site, data cutoff and file inventory are "
                    "unknown, so the checks that need them were not run (make one: "
                    "vte-registry manifest FOLDER --site SITE --cutoff YYYY-MM-DD)"
                )
            ],
        )
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            return _unreadable(f"is {size:,} bytes; a manifest is a few KB")
        text = path.read_bytes().decode("utf-8-sig")
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_not_json_constant)
    except OSError as exc:
        return _unreadable(f"cannot be read: {exc.strerror}")
    except UnicodeDecodeError:
        return _unreadable("is not UTF-8 text")
    except _DuplicateKey as exc:
        return _unreadable(
            f"has the key {str(exc)!r} twice: which one is meant is unknown", str(exc)
        )
    except RecursionError:
        return _unreadable("is nested too deeply to be a manifest")
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity
        return _unreadable(f"is not valid JSON: {str(exc).splitlines()[0][:200]}")
    if not isinstance(data, dict):
        return _unreadable("is not a JSON object")
    try:
        manifest = Manifest.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        return ManifestRead(None, data, _manifest_errors(exc))
    return ManifestRead(manifest, data, [])


def _manifest_errors(exc: ValidationError) -> list[Finding]:
    out = []
    for err in exc.errors(include_url=False):
        # A rule across fields names its field in the error's context.
        where = (err.get("ctx") or {}).get("field") or ".".join(str(p) for p in err["loc"])
        value = err.get("input")
        shown = value if isinstance(value, str | int | float | bool) else None
        out.append(
            finding(
                error_rule(err["type"], str(err["loc"][-1]) if err["loc"] else None),
                f"{MANIFEST_FILE}: {where or 'manifest'}: {err['msg']}",
                table="manifest",
                field=where or None,
                value=None if shown is None else str(shown)[:100],
            )
        )
    return out


# --- the inventory ---------------------------------------------------------------------------
def check_table(
    manifest: Manifest | None, table: str, file: str, rows: int | None, sha256: str
) -> list[Finding]:
    """A table file read (``rows`` None when it could not be read) against the manifest."""
    if manifest is None or manifest.tables is None:
        return []
    entry = manifest.tables[table]
    problems = []
    if entry.sha256 is None:
        problems.append("the manifest lists no file for it")
    elif sha256 != entry.sha256:
        problems.append("its SHA-256 differs from the manifest's")
    if rows is not None and rows != entry.rows:
        problems.append(f"it holds {rows:,} rows where the manifest lists {entry.rows:,}")
    if not problems:
        return []
    return [
        _mismatch(
            f"{file}: {'; '.join(problems)} (truncated, changed after the export, "
            "or from another export? After an edit of the site's own: vte-registry manifest "
            "FOLDER --refresh)",
            table=table,
            name=file,
        )
    ]


def check_unread_tables(
    manifest: Manifest | None, listing: Listing
) -> tuple[list[Finding], list[str]]:
    """Tables with no file: findings when the manifest lists rows for them, and the names
    of the tables not submitted (a 1.0 manifest has no inventory: absent = not submitted)."""
    findings, not_submitted = [], []
    for table in TABLE_NAMES:
        if table in listing.tables:
            continue
        if manifest is None or manifest.tables is None:
            not_submitted.append(table)
            continue
        rows = manifest.tables[table].rows
        if rows > 0:
            hint = listing.near_misses.get(table)
            also = f" ({', '.join(hint)} is not read: see its finding)" if hint else ""
            findings.append(
                _mismatch(
                    f"{table}: the manifest lists {rows:,} rows but there is no {table}.csv or "
                    f"{table}.parquet{also}",
                    table=table,
                    name=f"{table}.csv",
                )
            )
    return findings, not_submitted
