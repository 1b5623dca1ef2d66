"""``data_dictionary.csv``: one row per field of every table (and of the survey)."""

from __future__ import annotations

import io
from pathlib import Path

from registry import csvfile
from registry.export.common import (
    BINDING_COLUMNS,
    GENERATED_NOTICE,
    binding_text,
    field_facts,
    write_text,
)
from registry.models import TABLES, SurveyResponseRecord

__all__ = ["COLUMNS", "data_dictionary_rows", "write_data_dictionary"]

COLUMNS = (
    "table",
    "field",
    "type",
    "unit",
    "required",
    "allowed_codes",
    *BINDING_COLUMNS.values(),
    "range",
    "description",
    "since",
)


def data_dictionary_rows() -> list[dict[str, str]]:
    models = [(spec.name, spec.record, spec.since or "1.0") for spec in TABLES]
    models.append(("survey_responses", SurveyResponseRecord, ""))
    rows = []
    for table, model, table_since in models:
        for name, info in model.model_fields.items():
            facts = field_facts(name, info)
            codes = ""
            if facts.codes is not None:
                codes = " | ".join(f"{m.value} = {m.label}" for m in facts.codes)
            rows.append(
                {
                    "table": table,
                    "field": name,
                    "type": facts.kind,
                    "unit": facts.unit or "",
                    "required": facts.required_text,
                    "allowed_codes": codes,
                    # the standard codes of the allowed codes (registry.models.bindings)
                    **{
                        column: binding_text(facts.codes, system)
                        for system, column in BINDING_COLUMNS.items()
                    },
                    "range": facts.range_text,
                    "description": facts.description,
                    # the registry schema version that added the field (a 1.0 submission
                    # does not collect those of 1.1)
                    "since": facts.since or table_since,
                }
            )
    return rows


def write_data_dictionary(path: Path) -> Path:
    """The CSV's first line is a ``#`` comment saying it is generated (read with comment='#')."""
    buffer = io.StringIO()
    buffer.write(f"# {GENERATED_NOTICE}\n")
    writer = csvfile.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(data_dictionary_rows())
    return write_text(path, buffer.getvalue())
