"""Opening a submission: a folder, or a .zip extracted into a temporary folder within
bounds (entries with absolute paths or ``..``, too many entries, too large an expansion
or ratio are refused with ``UnusableInput``)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from registry.submission import MANIFEST_FILE
from registry.validation.inputs import submission_kind
from registry.validation.inventory import (
    MAX_SUBMISSION_BYTES,
    UnusableInput,
)

__all__ = ["MAX_UNZIPPED_BYTES", "MAX_ZIP_ENTRIES", "open_submission"]

#: Upper bound on what a .zip may expand to (zip bombs): the bound of a folder.
MAX_UNZIPPED_BYTES = MAX_SUBMISSION_BYTES
#: A submission has a dozen files; thousands of entries are an attack or a mistake.
MAX_ZIP_ENTRIES = 1000
_MAX_RATIO = 200  # compressed -> uncompressed; CSV compresses ~10x


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
    if submission_kind(path) == "folder":
        yield _submission_folder(path)
        return
    tmp = Path(tempfile.mkdtemp(prefix="vte-registry-"))
    try:
        _extract(path, tmp)
        yield _submission_folder(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
