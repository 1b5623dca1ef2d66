"""``data_dictionary.csv``: one row per field of every table (and of the survey)."""

from __future__ import annotations

import io
from pathlib import Path

from registry import csvfile
from registry.export.common import GENERATED_NOTICE, field_facts, write_text
from registry.models import TABLES, SurveyResponseRecord

__all__ = ["COLUMNS", "data_dictionary_rows", "write_data_dictionary"]

COLUMNS = (
    "table",
    "field",
    "type",
    "unit",
    "required",
    "allowed_codes",
    "range",
    "description",
)


def data_dictionary_rows() -> list[dict[str, str]]:
    models = [(spec.name, spec.record) for spec in TABLES]
    models.append(("survey_responses", SurveyResponseRecord))
    rows = []
    for table, model in models:
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
                    "range": facts.range_text,
                    "description": facts.description,
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
