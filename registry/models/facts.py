"""Field facts: everything known about one field of a model, read from its declaration.

The exporters (JSON Schema, dictionaries, REDCap, Frictionless) and the generated checks of
the rule catalogue read fields through ``field_facts``, so that a fact is declared once, in
the model (``registry.models.fields.field``).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic.fields import FieldInfo

from registry.models.codes import CodeList
from registry.models.fields import Bound, Conditional, conditional_of, since_of

__all__ = ["FieldFacts", "field_facts"]


@dataclass(frozen=True)
class FieldFacts:
    """Everything the exporters need to know about one field."""

    name: str
    kind: str  # str | int | decimal | date | datetime | bool | code
    required: bool
    conditional: Conditional | None
    codes: type[CodeList] | None
    description: str
    unit: str | None
    minimum: float | None
    maximum: float | None
    exclusive_minimum: float | None
    max_length: int | None
    pattern: str | None
    #: ``table.column`` this field references, if any.
    foreign_key: str | None = None
    #: A date that may lie at most this many days before the ALL diagnosis (rule
    #: before-diagnosis).
    not_before_diagnosis_days: int | None = None
    #: Dates of referenced records this date is bounded by (rule date-outside-reference).
    bounds: tuple[Bound, ...] = ()
    #: The date the record happened on: not after the patient's last contact (rule
    #: after-last-contact).
    record_date: bool = False
    #: An optional field whose absence means "not recorded": its share of missing values is
    #: watched (rule completeness-threshold).
    completeness_monitored: bool = False
    #: The schema version that added the field (None: there from 1.0).
    since: str | None = None

    @property
    def required_text(self) -> str:
        if self.required:
            return "yes"
        if self.conditional is not None:
            return self.conditional.text()
        return "no"

    @property
    def range_text(self) -> str:
        parts = []
        if self.exclusive_minimum is not None:
            parts.append(f"> {_num(self.exclusive_minimum)}")
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{_num(self.minimum)}-{_num(self.maximum)}")
        elif self.minimum is not None:
            parts.append(f">= {_num(self.minimum)}")
        elif self.maximum is not None:
            parts.append(f"<= {_num(self.maximum)}")
        if self.max_length is not None:
            parts.append(f"<= {self.max_length} characters")
        return "; ".join(parts)


def _bounds(declared: Any) -> tuple[Bound, ...]:
    return tuple(Bound(**bound) for bound in declared or ())


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _base_type(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] down to the underlying class."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0])
    return annotation


def field_facts(name: str, info: FieldInfo) -> FieldFacts:
    base = _base_type(info.annotation)
    codes = base if isinstance(base, type) and issubclass(base, CodeList) else None
    if codes is not None:
        kind = "code"
    elif base is bool:
        kind = "bool"
    elif base is int:
        kind = "int"
    elif base is float:
        kind = "decimal"
    elif base is dt.datetime:
        kind = "datetime"
    elif base is dt.date:
        kind = "date"
    else:
        kind = "str"
    facts: dict[str, Any] = {
        "minimum": None,
        "maximum": None,
        "exclusive_minimum": None,
        "max_length": None,
    }
    for meta in info.metadata:
        if isinstance(meta, at.Ge):
            facts["minimum"] = meta.ge
        elif isinstance(meta, at.Le):
            facts["maximum"] = meta.le
        elif isinstance(meta, at.Gt):
            facts["exclusive_minimum"] = meta.gt
        elif isinstance(meta, at.MaxLen):
            facts["max_length"] = meta.max_length
    for key in ("minimum", "maximum", "exclusive_minimum"):
        if isinstance(facts[key], dt.date):
            facts[key] = None  # date bounds are described in the text, not as numbers
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    pattern = getattr(info, "pattern", None) or next(
        (m.pattern for m in info.metadata if hasattr(m, "pattern") and isinstance(m.pattern, str)),
        None,
    )
    foreign_key = next(
        (m.foreign_key for m in info.metadata if isinstance(getattr(m, "foreign_key", None), str)),
        None,
    )
    days = extra.get("x-not-before-diagnosis-days")
    return FieldFacts(
        name=name,
        kind=kind,
        foreign_key=foreign_key,
        required=info.is_required(),
        conditional=conditional_of(info),
        codes=codes,
        description=info.description or "",
        unit=unit if isinstance(unit := extra.get("x-unit"), str) else None,
        pattern=pattern,
        not_before_diagnosis_days=None if days is None else int(str(days)),
        bounds=_bounds(extra.get("x-bounds")),
        record_date=bool(extra.get("x-record-date", False)),
        completeness_monitored=bool(extra.get("x-completeness-monitored", False)),
        since=since_of(info),
        **facts,
    )
