"""Opening a submission: a folder, or a .zip extracted into a temporary folder within
bounds (entries with absolute paths or ``..``, too many entries, too large an expansion
or ratio are refused with ``UnusableInput``)."""

from __future__ import annotations

import contextlib
import errno
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from registry.submission import MANIFEST_FILE
from registry.validation.findings import Finding, finding
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


#: Compression methods of the zip format that Python reads (stored, deflate, bzip2, lzma).
_READABLE_METHODS = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
#: Names of the methods a site's zip tool may have used instead.
_METHOD_NAMES = {9: "Deflate64", 99: "AES encryption", 93: "Zstandard", 98: "PPMd"}


def _entry_problem(archive: Path, info: zipfile.ZipInfo, why: str) -> Finding:
    return finding(
        "unreadable-file",
        f"{archive.name}: entry {info.filename} {why}; it was not read",
        table="manifest",
        field=info.filename,
    )


def _unreadable_entry(info: zipfile.ZipInfo) -> str | None:
    """Why an entry cannot be read, before trying: encrypted, or an unusual method."""
    if info.flag_bits & 0x1:
        return "is encrypted: zip the files again without a password"
    if info.compress_type not in _READABLE_METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        return (
            f"is compressed with {method}, which cannot be read here: zip the files again "
            "with the usual method (Deflate)"
        )
    return None


def _extract(archive: Path, target: Path, problems: list[Finding]) -> None:
    """Extract ``archive`` into ``target``. What makes the whole archive unusable raises
    UnusableInput; an entry that cannot be read is a finding about that entry (``problems``),
    worded as reading, and the other entries are read."""
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
        first: dict[str, int] = {}
        for number, info in enumerate(members, start=1):
            if not _safe_member(info.filename):
                raise UnusableInput(
                    f"{archive.name}: entry {info.filename!r} has an absolute path or '..'; "
                    "the archive was refused and nothing was extracted"
                )
            # an unzip tool keeps the first of two entries of one name, Python the last:
            # which one the site meant is unknown
            name = info.filename.replace("\\", "/")
            if name in first:
                raise UnusableInput(
                    f"{archive.name} has two entries named {name} (entries {first[name]} and "
                    f"{number}): which one is meant is unknown; zip the folder again"
                )
            first[name] = number
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
            if (why := _unreadable_entry(info)) is not None:
                problems.append(_entry_problem(archive, info, why))
                continue
            out = target / PurePosixPath(info.filename.replace("\\", "/"))
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):  # never trust the declared size
                        written += len(chunk)
                        if written > MAX_UNZIPPED_BYTES:
                            raise UnusableInput(
                                f"{archive.name} expands past {MAX_UNZIPPED_BYTES:,} bytes"
                            )
                        dst.write(chunk)
            except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
                out.unlink(missing_ok=True)  # a part of it is not the file
                problems.append(_entry_problem(archive, info, f"is damaged ({exc})"))
            except OSError as exc:  # its name, or a file and a folder of one name
                with contextlib.suppress(OSError):
                    out.unlink(missing_ok=True)
                why = {
                    errno.ENAMETOOLONG: "has a name longer than the file system allows",
                    errno.EEXIST: "has the name of a file or folder of another entry",
                    errno.ENOTDIR: "lies in a folder that is a file of another entry",
                    errno.EISDIR: "has the name of a folder of another entry",
                }.get(exc.errno or 0, f"cannot be extracted ({exc.strerror})")
                problems.append(_entry_problem(archive, info, why))


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
def open_submission(path: Path | str, problems: list[Finding] | None = None) -> Iterator[Path]:
    """The folder of a submission; a .zip is extracted into a temporary folder first (an
    entry that cannot be read is a finding added to ``problems``)."""
    path = Path(path)
    if submission_kind(path) == "folder":
        yield _submission_folder(path)
        return
    tmp = Path(tempfile.mkdtemp(prefix="vte-registry-"))
    try:
        _extract(path, tmp, problems if problems is not None else [])
        yield _submission_folder(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
