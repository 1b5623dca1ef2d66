"""manifest.json: who sent a submission, when, up to which date it is complete, and (schema
1.1) the inventory of its files: every table with its row count and SHA-256."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from registry.models.fields import Date
from registry.models.ids import SITE_ID_PATTERN
from registry.version import SCHEMA_VERSION

__all__ = ["MAX_CLOCK_SKEW", "Manifest", "TableEntry"]

#: How far ``created_at`` may lie in the future (spec: "not more than one day"): clocks of
#: sites differ, but a timestamp far ahead would make every later submission look older.
MAX_CLOCK_SKEW = dt.timedelta(days=1)


class TableEntry(BaseModel):
    """One table of the inventory: how many data rows its file holds, and the file's hash.
    (Errors raised here name their field in the context: ``{"field": ...}``.)"""

    model_config = ConfigDict(extra="forbid", strict=True)

    rows: int = Field(ge=0, description="Data rows of the table's file (header excluded).")
    sha256: str | None = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the file's bytes (lower-case hex); null when the table has "
        "no rows and its file is absent.",
    )

    @model_validator(mode="after")
    def _hash_when_rows(self) -> Self:
        if self.rows > 0 and self.sha256 is None:
            raise PydanticCustomError("missing-value", "a table with rows needs its sha256")
        return self


def _inventory_schema(schema: dict[str, object]) -> None:
    """The JSON Schema says what the validator says: a 1.1 manifest lists every table, a
    1.0 manifest has no inventory."""
    from registry.models import TABLE_NAMES

    schema["if"] = {"properties": {"schema_version": {"const": "1.1"}}}
    schema["then"] = {
        "required": ["tables"],
        "properties": {
            "tables": {
                "type": "object",
                "required": list(TABLE_NAMES),
                "propertyNames": {"enum": list(TABLE_NAMES)},
            }
        },
    }
    schema["else"] = {"properties": {"tables": {"type": "null"}}}


class Manifest(BaseModel):
    """The submission's manifest. Unknown keys are an error (they might carry identifiers);
    the reader validates the JSON text in strict mode, so a value of the wrong JSON type (a
    number for a date, a string for a row count) is an error too."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra=lambda schema: _inventory_schema(schema),
    )

    site_id: str = Field(
        description="Submitting site: 3-8 upper-case letters or digits.",
        pattern=SITE_ID_PATTERN,
    )
    submission_id: uuid.UUID = Field(description="Unique ID of this submission (a UUID).")
    schema_version: Literal["1.0", "1.1"] = Field(  # = READABLE_SCHEMA_VERSIONS (a test)
        description=f"Registry schema version the submission follows ({SCHEMA_VERSION}; "
        "1.0 is still read, without an inventory)."
    )
    data_cutoff_date: Date = Field(
        description="Data are complete up to this date; no event date may be later; not "
        "after the day the submission is made."
    )
    created_at: AwareDatetime = Field(
        description="When the submission was created (ISO 8601 timestamp with time zone); "
        "not before data_cutoff_date, not more than one day in the future (UTC)."
    )
    generator: str = Field(
        description="What produced the submission, e.g. the package version or "
        "'synthetic seed=7' (free text: no identifiers).",
        max_length=200,
    )
    tables: dict[str, TableEntry] | None = Field(
        default=None,
        description="Schema 1.1: every table of the schema -> {rows, sha256}; a table with "
        "no rows has rows 0 and may have no file (sha256 null).",
    )

    @model_validator(mode="after")
    def _dates_and_inventory(self) -> Self:
        try:
            created = self.created_at.astimezone(dt.UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is past the calendar in UTC
            raise PydanticCustomError(
                "out-of-range",
                "created_at {created} lies outside the calendar in UTC",
                {"created": self.created_at.isoformat(), "field": "created_at"},
            ) from None
        if created.date() < self.data_cutoff_date:
            raise PydanticCustomError(
                "out-of-range",
                "created_at {created} is before data_cutoff_date {cutoff}",
                {
                    "created": created.isoformat(),
                    "cutoff": self.data_cutoff_date.isoformat(),
                    "field": "created_at",
                },
            )
        now = dt.datetime.now(dt.UTC)
        if created > now + MAX_CLOCK_SKEW:
            raise PydanticCustomError(
                "out-of-range",
                "created_at {created} is more than one day after now "
                "({now}): a clock or a typing error?",
                {
                    "created": created.isoformat(),
                    "now": now.replace(microsecond=0).isoformat(),
                    "field": "created_at",
                },
            )
        from registry.models import TABLE_NAMES  # the table list is built from the models

        if self.schema_version == "1.0":
            if self.tables is not None:
                raise PydanticCustomError(
                    "unknown-column",
                    "'tables' is not part of a 1.0 manifest (say 1.1)",
                    {"field": "tables"},
                )
            return self
        if self.tables is None:
            raise PydanticCustomError(
                "missing-value",
                "a 1.1 manifest lists every table under 'tables'",
                {"field": "tables"},
            )
        unknown = sorted(set(self.tables) - set(TABLE_NAMES))
        missing = [name for name in TABLE_NAMES if name not in self.tables]
        if unknown:
            raise PydanticCustomError(
                "unknown-column",
                "tables: {names} not tables of the schema",
                {"names": ", ".join(unknown), "field": "tables"},
            )
        if missing:
            raise PydanticCustomError(
                "missing-value",
                "tables: no entry for {names} (every table is listed, with rows 0 when empty)",
                {"names": ", ".join(missing), "field": "tables"},
            )
        return self

    @property
    def has_inventory(self) -> bool:
        return self.tables is not None

    @property
    def created_at_utc(self) -> dt.datetime:
        return self.created_at.astimezone(dt.UTC)
