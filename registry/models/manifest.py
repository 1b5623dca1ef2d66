"""manifest.json: who sent a submission, when, and up to which date it is complete."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from registry.models.fields import Date
from registry.models.ids import SITE_ID_PATTERN
from registry.version import SCHEMA_VERSION

__all__ = ["Manifest"]


class Manifest(BaseModel):
    """The submission's manifest. Unknown keys are an error (they might carry identifiers)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    site_id: str = Field(
        description="Submitting site: 3-8 upper-case letters or digits.",
        pattern=SITE_ID_PATTERN,
    )
    submission_id: uuid.UUID = Field(description="Unique ID of this submission (a UUID).")
    schema_version: Literal["1.0"] = Field(
        description=f"Registry schema version the submission follows ({SCHEMA_VERSION})."
    )
    data_cutoff_date: Date = Field(
        description="Data are complete up to this date; no event date may be later."
    )
    created_at: AwareDatetime = Field(
        description="When the submission was created (ISO 8601 timestamp with time zone)."
    )
    generator: str = Field(
        description="What produced the submission, e.g. the package version or "
        "'synthetic seed=7' (free text: no identifiers).",
        max_length=200,
    )
