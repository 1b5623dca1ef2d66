"""Uploads streamed to the service's disk (intake.md, "Submissions"): never held whole in
memory, their SHA-256 computed while they stream, stopped as soon as they pass the
validator's size bound (the caller answers 413), and a partial file never left behind."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio

from registry.validation.inventory import MAX_SUBMISSION_BYTES

__all__ = ["MAX_UPLOAD_BYTES", "Stored", "TooLarge", "store_stream"]

#: A zip of a submission is at most what its folder may be (the validator refuses more).
MAX_UPLOAD_BYTES = MAX_SUBMISSION_BYTES


class TooLarge(Exception):
    """The upload passed the bound; nothing of it was kept."""


@dataclass(frozen=True)
class Stored:
    path: Path
    sha256: str
    size: int


async def store_stream(
    chunks: AsyncIterator[bytes], folder: Path, limit: int = MAX_UPLOAD_BYTES
) -> Stored:
    """Write ``chunks`` to a new file in ``folder``; renamed into place only when whole."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    partial = folder / f"{name}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"the upload passed {limit:,} bytes")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            # on disk before it is received; in a thread, so that other requests go on
            await anyio.to_thread.run_sync(os.fsync, out.fileno())
        final = folder / f"{name}.zip"
        partial.rename(final)
    except BaseException:  # too large, a dropped connection, a kill of the request
        partial.unlink(missing_ok=True)
        raise
    return Stored(final, digest.hexdigest(), size)
