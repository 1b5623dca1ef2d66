"""JSON Schema (Draft 2020-12) of each table, the manifest and the survey response.

A schema describes one record as a JSON object with typed values (numbers, booleans,
ISO dates as strings), as ``model_dump(mode="json")`` produces. Rules that span fields are
listed under ``x-row-rules``; the validator enforces them. Conditional fields ("iff",
"required when", "only when") are stated as ``if``/``then`` clauses under ``allOf``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from registry.export.common import GENERATED_NOTICE, bindings_json, field_facts, write_text
from registry.models import TABLES, Manifest, SurveyResponseRecord
from registry.version import SCHEMA_VERSION

__all__ = ["DRAFT_2020_12", "model_schema", "schema_documents", "write_json_schemas"]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def model_schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    body = model.model_json_schema(mode="validation")
    body.pop("title", None)
    head: dict[str, Any] = {
        "$schema": DRAFT_2020_12,
        "$id": f"urn:all-vte-registry:schema:{SCHEMA_VERSION}:{name}",
        "$comment": GENERATED_NOTICE,
        "title": title,
        "x-schema-version": SCHEMA_VERSION,
    }
    rule_ids = getattr(model, "row_rule_ids", ())
    if rule_ids:
        head["x-row-rules"] = list(rule_ids)
    id_field = getattr(model, "id_field", "")
    if id_field:
        head["x-primary-key"] = id_field
    # Conditional fields as if/then, so that any JSON Schema validator enforces them.
    clauses = [
        clause
        for name, conditional in getattr(model, "conditionals", {}).items()
        for clause in conditional.json_schema(name)
    ]
    if clauses:
        body["allOf"] = [*body.get("allOf", []), *clauses]
    # Standard codes of each code list, as an annotation on its enum (validators ignore it).
    for name, info in model.model_fields.items():
        codes = field_facts(name, info).codes
        if codes is None or not (bound := bindings_json(codes)):
            continue
        target = body.get("$defs", {}).get(codes.__name__) or body["properties"][name]
        target["x-bindings"] = bound
    return {**head, **body}


def schema_documents() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every published JSON Schema."""
    docs = {
        f"{spec.name}.schema.json": model_schema(
            spec.record, spec.name, f"{spec.name}: one row of {spec.name}.csv"
        )
        for spec in TABLES
    }
    docs["manifest.schema.json"] = model_schema(Manifest, "manifest", "manifest.json")
    docs["survey_response.schema.json"] = model_schema(
        SurveyResponseRecord, "survey_response", "survey_responses: one survey response"
    )
    return docs


def write_json_schemas(folder: Path) -> list[Path]:
    return [
        write_text(folder / name, json.dumps(doc, indent=2, ensure_ascii=False))
        for name, doc in schema_documents().items()
    ]
