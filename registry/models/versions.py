"""Reading earlier schema versions: the record class of a table as a version defined it.

A 1.0 submission (manifest ``schema_version`` "1.0") is still read and loaded (spec,
"Changes in 1.1"): the fields that 1.1 added are "not collected" (no column expected, null in
the database, never a missing-value finding), conditions that changed keep their 1.0 form,
and a table that 1.1 added is not part of it. The 1.0 class of a table is derived from its
current class and the fields' ``since`` facts, so that nothing is declared twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Optional

from pydantic import create_model

from registry.models.base import RegistryRecord
from registry.models.fields import conditional_of, since_of
from registry.version import READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION

__all__ = ["added_after", "fields_of", "record_for", "version_key"]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def added_after(since: str | None, version: str) -> bool:
    """True when something added in ``since`` is not part of ``version``."""
    return since is not None and version_key(since) > version_key(version)


def fields_of(record: type[RegistryRecord], version: str = SCHEMA_VERSION) -> list[str]:
    """The fields (columns) of a table in a schema version, in order."""
    return [
        n for n, info in record.model_fields.items() if not added_after(since_of(info), version)
    ]


@cache
def record_for(record: type[RegistryRecord], version: str = SCHEMA_VERSION) -> type[RegistryRecord]:
    """The record class that reads ``record``'s table as schema ``version`` defined it."""
    if version == SCHEMA_VERSION:
        return record
    if version not in READABLE_SCHEMA_VERSIONS:
        raise ValueError(
            f"schema version {version!r} is not read (read: {READABLE_SCHEMA_VERSIONS})"
        )
    later = {
        name: info
        for name, info in record.model_fields.items()
        if added_after(since_of(info), version)
    }
    # The later fields stay on the class, empty (their columns are null in the database).
    overrides: dict[str, Any] = {
        name: (Optional[info.annotation], None)  # noqa: UP045 (annotation is a runtime value)
        for name, info in later.items()
    }
    earlier: type[RegistryRecord] = create_model(
        f"{record.__name__}_{version.replace('.', '_')}",
        __base__=record,
        __module__=record.__module__,
        **overrides,
    )
    earlier.schema_version = version
    earlier.conditionals = {
        name: cond
        for name, info in record.model_fields.items()
        if name not in later and (cond := conditional_of(info, version)) is not None
    }
    earlier.validate_in_one_pass()
    return earlier
