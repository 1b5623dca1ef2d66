"""Published contracts, generated from registry.models (never edited by hand).

``write_schemas(folder)`` writes everything ``schemas/`` holds: one JSON Schema per table,
for the manifest and for the survey response; ``data_dictionary.csv``; the REDCap data
dictionaries of the registry CRF and of the survey; and a Frictionless ``datapackage.json``.
"""

from __future__ import annotations

from pathlib import Path

from registry.export.dictionary import write_data_dictionary
from registry.export.frictionless import write_datapackage
from registry.export.jsonschema import write_json_schemas
from registry.export.redcap import write_redcap_dictionaries

__all__ = ["GENERATED_NOTICE", "write_schemas"]

from registry.export.common import GENERATED_NOTICE


def write_schemas(folder: Path) -> list[Path]:
    """Write every published contract into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    written += write_json_schemas(folder)
    written.append(write_data_dictionary(folder / "data_dictionary.csv"))
    written += write_redcap_dictionaries(folder)
    written.append(write_datapackage(folder / "datapackage.json"))
    return written
