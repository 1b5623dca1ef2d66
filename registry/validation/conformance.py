"""Stage 1: record conformance. Rows as read from CSV are parsed by their models.

A row is a mapping of field name to text (empty = missing). Each failure becomes a
``FieldError(rule, field, value, message)`` carrying a rule ID of the spec. Whole tables are
validated row by row by the model's compiled validator, so that every failure of every row
is reported and the valid rows come back typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from registry.models import RegistryRecord, table_spec
from registry.models.base import ROW_RULES_ERROR, Violation
from registry.rules import RULES, SURVEY_RULES

__all__ = ["FieldError", "TableParse", "clean_row", "error_rule", "parse_row", "parse_rows"]


class FieldError(NamedTuple):
    """One conformance failure of a row."""

    rule: str
    field: str | None
    value: str | None
    message: str


@dataclass
class TableParse:
    """The outcome of parsing a table: typed records and errors, both by 0-based row index."""

    records: list[tuple[int, RegistryRecord]] = field(default_factory=list)
    errors: list[tuple[int, FieldError]] = field(default_factory=list)


_TYPE_ERRORS = ("_parsing", "_type", "date_from_datetime", "finite_number", "int_from_float")
_RANGE_ERRORS = (
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "string_too_long",
    "string_too_short",
    "too_long",
    "too_short",
)


def error_rule(error_type: str, field_name: str | None) -> str:
    """The spec's rule ID for a pydantic error type."""
    if error_type in RULES or error_type in SURVEY_RULES:
        return error_type
    if error_type == "missing":
        return "missing-value"
    if error_type == "extra_forbidden":
        return "unknown-column"
    if error_type in ("enum", "literal_error"):
        return "invalid-code"
    if error_type == "string_pattern_mismatch":
        is_id = field_name is not None and field_name.endswith("_id")
        return "id-format" if is_id else "pattern-mismatch"
    if error_type in _RANGE_ERRORS:
        return "out-of-range"
    if error_type.endswith(_TYPE_ERRORS) or error_type.startswith(_TYPE_ERRORS):
        return "type-error"
    return "type-error"


def _text(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict):
        return None
    return value if isinstance(value, str) else str(value)


def _field_errors(errors: list[ErrorDetails], row: Mapping[str, Any]) -> list[FieldError]:
    out: list[FieldError] = []
    for err in errors:
        out.extend(_one(err, row))
    return out


def _one(err: ErrorDetails, row: Mapping[str, Any]) -> list[FieldError]:
    if err["type"] == ROW_RULES_ERROR:
        violations: list[Violation] = err.get("ctx", {})["violations"]
        return [FieldError(v.rule, v.field, _text(row.get(v.field)), v.message) for v in violations]
    loc = err["loc"]
    name = str(loc[-1]) if loc else None
    value = None if err["type"] == "missing" else _text(err.get("input"))
    rule = error_rule(err["type"], name)
    return [FieldError(rule, name, value, _message(rule, err))]


_ID_FORMATS = {
    "site_id": "expected 3-8 upper-case letters or digits, e.g. NYC01",
    "patient_id": "expected the site ID, '-' and 8 characters of 0-9 and A-Z without I and O, "
    "e.g. NYC01-7F3K9Q2M",
    "response_id": "expected R and 6 digits, e.g. R000123",
    "record": "expected the patient ID, '-', the table's letter and a number, "
    "e.g. NYC01-7F3K9Q2M-C1",
}


def _message(rule: str, err: ErrorDetails) -> str:
    """Say what is wrong the way a data manager would, not the way pydantic does."""
    if rule == "missing-value":
        return "a value is required"
    if rule == "unknown-column":
        return "not a field of this table"
    if rule == "id-format":
        name = str(err["loc"][-1]) if err["loc"] else ""
        return _ID_FORMATS.get(name, _ID_FORMATS["record"])
    message = err["msg"]
    for prefix in ("Input should be ", "String should "):
        if message.startswith(prefix):
            message = "expected " + message[len(prefix) :]
    return message


def _record_class(table: str | type[RegistryRecord]) -> type[RegistryRecord]:
    return table_spec(table).record if isinstance(table, str) else table


def parse_row(
    table: str | type[RegistryRecord], row: Mapping[str, Any]
) -> RegistryRecord | list[FieldError]:
    """Parse one row of ``table`` (name or record class): the typed record, or its errors.

    >>> parse_row("catheters", {"catheter_id": "x"})[0].rule
    'id-format'
    """
    record_class = _record_class(table)
    cleaned = clean_row(row)
    try:
        return record_class.model_validate(cleaned)
    except ValidationError as exc:
        return _field_errors(exc.errors(include_url=False), cleaned)


def clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """CSV conventions: padded cells are trimmed, a blank cell is a missing value."""
    out = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = value.strip()
        if value is not None and value != "":
            out[key] = value
    return out


def parse_rows(
    table: str | type[RegistryRecord],
    rows: Iterable[Mapping[str, Any]],
    *,
    cleaned: bool = False,
) -> TableParse:
    """Parse a whole table; all failures of all rows are kept.

    ``cleaned=True``: the rows are already trimmed, without blank cells (as the submission
    reader delivers them). Each row is validated once, by the model's compiled validator (a
    loop of calls costs what one list validation does, and a failing row costs no second
    pass over the others).
    """
    record_class = _record_class(table)
    rows = list(rows) if not cleaned else rows if isinstance(rows, list) else list(rows)
    if not cleaned:
        rows = [clean_row(r) for r in rows]
    validate = record_class.__pydantic_validator__.validate_python
    result = TableParse()
    records, errors = result.records, result.errors
    for index, row in enumerate(rows):
        try:
            records.append((index, validate(row)))
        except ValidationError as exc:
            errors.extend((index, e) for e in _field_errors(exc.errors(include_url=False), row))
    return result
