"""A Frictionless Data Package (``datapackage.json``) describing a submission folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.export.common import (
    GENERATED_NOTICE,
    FieldFacts,
    bindings_json,
    field_facts,
    write_text,
)
from registry.models import TABLES
from registry.version import SCHEMA_VERSION

__all__ = ["datapackage", "write_datapackage"]

_TYPES = {
    "str": "string",
    "code": "string",
    "int": "integer",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "bool": "boolean",
}


def _field(facts: FieldFacts) -> dict[str, Any]:
    out: dict[str, Any] = {"name": facts.name, "type": _TYPES[facts.kind]}
    if facts.description:
        out["description"] = facts.description
    if facts.kind == "bool":
        out["trueValues"] = ["true", "True", "TRUE", "1", "yes", "Yes", "YES"]
        out["falseValues"] = ["false", "False", "FALSE", "0", "no", "No", "NO"]
    constraints: dict[str, Any] = {}
    if facts.required:
        constraints["required"] = True
    if facts.codes is not None:
        constraints["enum"] = facts.codes.codes()
    if facts.minimum is not None:
        constraints["minimum"] = facts.minimum
    if facts.maximum is not None:
        constraints["maximum"] = facts.maximum
    if facts.max_length is not None:
        constraints["maxLength"] = facts.max_length
    if facts.pattern is not None:
        constraints["pattern"] = facts.pattern.removeprefix("^").removesuffix("$")
    if constraints:
        out["constraints"] = constraints
    if bound := bindings_json(facts.codes):
        out["x-bindings"] = bound  # standard codes of the enum (registry.models.bindings)
    return out


def _foreign_keys(facts: list[FieldFacts]) -> list[dict[str, Any]]:
    keys = []
    for f in facts:
        if f.foreign_key:
            resource, column = f.foreign_key.split(".")
            keys.append(
                {"fields": [f.name], "reference": {"resource": resource, "fields": [column]}}
            )
    return keys


def datapackage() -> dict[str, Any]:
    resources = []
    for spec in TABLES:
        facts = [field_facts(n, i) for n, i in spec.record.model_fields.items()]
        schema: dict[str, Any] = {
            "fields": [_field(f) for f in facts],
            "missingValues": [""],
            "primaryKey": [spec.id_field],
        }
        if fks := _foreign_keys(facts):
            schema["foreignKeys"] = fks
        resources.append(
            {
                "name": spec.name,
                "path": f"{spec.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "all-vte-registry-submission",
        "title": "ALL-VTE registry submission",
        "version": SCHEMA_VERSION,
        "description": GENERATED_NOTICE,
        "resources": resources,
    }


def write_datapackage(path: Path) -> Path:
    return write_text(path, json.dumps(datapackage(), indent=2, ensure_ascii=False))
