"""Whether a path can be a submission at all, answered before anything heavy is imported:
a command given a path that does not exist says so at once (the models, pandas and Arrow
take most of a second to import)."""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["UnusableInput", "submission_kind"]


class UnusableInput(Exception):
    """The path cannot be read as a submission at all (exit code 2)."""


def submission_kind(path: Path) -> str:
    """ "folder" or "zip"; raises UnusableInput for anything else."""
    if not path.exists():
        raise UnusableInput(f"{path} does not exist")
    if path.is_dir():
        return "folder"
    if not path.is_file():  # a pipe or a device would block the reader
        raise UnusableInput(f"{path} is not a regular file or folder")
    if not zipfile.is_zipfile(path):
        raise UnusableInput(f"{path} is neither a submission folder nor a .zip of one")
    return "zip"
