"""Record conformance over whole columns: the rows of a chunk that certainly pass their model.

Pydantic costs 10-20 µs a row here (its compiled core is fast; the models' Python validators
for dates, flags and row rules are not), which was most of the validation time of a large
submission. ``prefilter`` reads each field's declaration (type, codes, range, pattern, length)
and checks a chunk column by column with Arrow compute; a row passes only when every cell is
in a canonical form that the model's own parsing reads to the same value (decimals
``-?digits[.digits]``, dates ``YYYY-MM-DD``, flags in lower case), every range, code and
pattern holds, the record ID belongs to its patient, and the table's declared row rules
(``row_checks``, ``registry.models.row_checks``: each one declaration with a record form and
a column form) hold. Every other row, wrong or merely
unusual, is parsed by pydantic as before (``conformance.parse_rows``), which gives the
findings and their messages. So the prefilter decides speed, never findings.

A table is read this way only when every part of its model is understood here; a model with
another validator, row rules written in Python (``row_rules``) or a field type not listed
below is parsed by pydantic throughout. ``tests/validation/test_vector.py`` holds both paths
to the same findings and the same values, on cohorts and on a table of unusual cells per
field kind.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from registry.models import RegistryRecord
from registry.models.facts import field_facts
from registry.models.fields import (
    EARLIEST_DATE,
    FALSE_TEXTS,
    TRUE_TEXTS,
    Conditional,
    EarlierConditional,
    iso_date,
    not_before_floor,
    read_flag,
)
from registry.validation.arrow_rows import ArrowRows

__all__ = ["Prefilter", "passed_values", "prefilter", "vector_plan"]

#: The canonical text of each kind that pydantic and Arrow read to the same value.
_DECIMAL = r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?$"
_INTEGER = r"^-?(0|[1-9][0-9]{0,14})$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class _Field:
    """How one field is checked in vector form."""

    name: str
    kind: str  # str | code | decimal | int | date | flag
    required: bool
    pattern: str | None = None
    max_length: int | None = None
    codes: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    #: a date's floor: its own bound, never before the registry's earliest date
    date_ge: dt.date = EARLIEST_DATE


def _unwrap(annotation: Any) -> tuple[Any, list[Any]] | None:
    """The base type and the metadata nested in ``Optional[Annotated[...]]``."""
    metadata: list[Any] = []
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return None
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation, metadata


#: Metadata a field may carry and still be read here (anything else, e.g. an ``Lt`` bound
#: that the field facts do not describe, sends its table to pydantic).
_UNDERSTOOD = (at.MaxLen, at.Ge, at.Le, at.Gt, WithJsonSchema, Conditional, EarlierConditional)
#: The validators each kind of field must have, exactly: the models' CSV parsing.
_VALIDATORS = {"date": {iso_date, not_before_floor}, "bool": {read_flag}}
#: The Python type each kind of field must have (the facts call any other type "str").
_BASES = {"str": str, "int": int, "decimal": float, "date": dt.date, "bool": bool}


def _plan_field(name: str, info: Any) -> _Field | None:
    """The field's vector form, from its facts (``field_facts``), or None when a part of its
    declaration is not understood here."""
    unwrapped = _unwrap(info.annotation)
    if unwrapped is None:
        return None
    base, nested = unwrapped
    validators: set[Any] = set()
    date_ge = EARLIEST_DATE
    if any(not isinstance(m, BeforeValidator | AfterValidator | WithJsonSchema) for m in nested):
        return None  # a bound inside ``Optional[Annotated[...]]``: not in the field facts
    for meta in [*info.metadata, *nested]:
        if isinstance(meta, BeforeValidator | AfterValidator):
            validators.add(meta.func)
        elif isinstance(meta, at.Ge) and isinstance(meta.ge, dt.date):
            date_ge = max(date_ge, meta.ge)  # the facts describe date bounds in words only
        elif type(meta).__name__ == "_PydanticGeneralMetadata":
            if set(vars(meta)) != {"pattern"}:
                return None
        elif not isinstance(meta, _UNDERSTOOD) and type(meta).__name__ != "FieldInfoMetadata":
            return None  # FieldInfoMetadata: SQLModel's column facts (keys, index)
    facts = field_facts(name, info)
    if validators != _VALIDATORS.get(facts.kind, set()):
        return None
    if facts.kind == "code" and facts.codes is not None:
        codes = tuple(c.value for c in facts.codes)
    elif _BASES.get(facts.kind) is base:
        codes = ()
    else:
        return None
    return _Field(
        name,
        {"bool": "flag"}.get(facts.kind, facts.kind),
        facts.required,
        pattern=facts.pattern,
        max_length=facts.max_length,
        codes=codes,
        ge=facts.minimum,
        le=facts.maximum,
        gt=facts.exclusive_minimum,
        date_ge=date_ge,
    )


@functools.cache
def vector_plan(record_class: type[RegistryRecord]) -> tuple[_Field, ...] | None:
    """The vector form of a model's fields, or None when the model must go through pydantic
    (conditional fields, validators of its own, row rules without a vector form)."""
    decorators = record_class.__pydantic_decorators__
    if decorators.field_validators:
        return None
    if set(decorators.model_validators) != {"_row_rules"}:
        return None
    owner = next(c for c in record_class.__mro__ if "row_rules" in vars(c))
    if owner is not RegistryRecord:  # row rules in Python only (not declared row_checks)
        return None
    plan = [_plan_field(name, info) for name, info in record_class.model_fields.items()]
    return None if any(p is None for p in plan) else tuple(p for p in plan if p is not None)


@dataclass
class Prefilter:
    """A chunk after the prefilter: the typed columns of the rows that passed (Arrow, in
    field order, ``_row`` first: the 0-based row of the chunk) and the rows left for
    pydantic (0-based, in the chunk)."""

    passed: Any
    flagged: list[int]

    def values(self) -> list[tuple[int, tuple[Any, ...]]]:
        """(row of the chunk, typed values in field order) of the rows that passed."""
        return passed_values(self.passed)


def passed_values(passed: Any) -> list[tuple[int, tuple[Any, ...]]]:
    """(row of the chunk, typed values in field order) of a ``Prefilter.passed`` table,
    converted column by column (several times faster than Arrow's rows)."""
    columns = [c.to_pylist() for c in passed.columns]
    return [(row[0], row[1:]) for row in zip(*columns, strict=True)]


def _column(field: _Field, text: Any) -> tuple[Any, Any]:
    """(cells that pass, typed values) of one column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = pc.is_valid(text)
    if field.kind == "code":
        ok = pc.is_in(text, value_set=pa.array(field.codes, pa.string()))
        typed = text
    elif field.kind == "flag":
        ok = pc.is_in(text, value_set=pa.array(sorted(TRUE_TEXTS | FALSE_TEXTS), pa.string()))
        typed = pc.is_in(text, value_set=pa.array(sorted(TRUE_TEXTS), pa.string()))
    elif field.kind == "date":
        typed = _dates(pc.if_else(pc.match_substring_regex(text, _DATE), text, None))
        ok = pc.greater_equal(typed, pa.scalar(field.date_ge, pa.date32()))
    elif field.kind in ("decimal", "int"):
        shaped = pc.match_substring_regex(text, _DECIMAL if field.kind == "decimal" else _INTEGER)
        target = pa.float64() if field.kind == "decimal" else pa.int64()
        typed = pc.cast(pc.if_else(shaped, text, None), target)
        ok = shaped
        for name, compare in (
            ("ge", pc.greater_equal),
            ("le", pc.less_equal),
            ("gt", pc.greater),
        ):
            bound = getattr(field, name)
            if bound is not None:
                ok = pc.and_(ok, compare(typed, pa.scalar(bound, pa.float64())))
    else:
        ok = pa.array([True] * len(text), pa.bool_())
        typed = text
        if field.pattern is not None:
            ok = pc.match_substring_regex(text, field.pattern)
        if field.max_length is not None:
            ok = pc.and_(ok, pc.less_equal(pc.utf8_length(text), field.max_length))
    # a missing cell passes only when the field is optional; a present one when it is read
    ok = pc.if_else(present, pc.fill_null(ok, False), not field.required)
    return ok, typed


def _dates(text: Any) -> Any:
    """YYYY-MM-DD text as dates; null where it is not a calendar date (2021-02-30)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(text, pa.date32())  # refuses a day that does not exist
    except pa.ArrowInvalid:
        pass
    # one such day among them: parse leniently, then keep only the dates that were not
    # rolled over into the next month (2021-02-30 would read as 2021-03-02)
    typed = pc.cast(pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    same = pa.scalar(True)
    for part, (start, stop) in ((pc.year, (0, 4)), (pc.month, (5, 7)), (pc.day, (8, 10))):
        written = pc.cast(pc.utf8_slice_codeunits(text, start, stop), pa.int64())
        same = pc.and_(same, pc.equal(part(typed), written))
    return pc.if_else(same, typed, pa.scalar(None, pa.date32()))


def _conditional_holds(cond: Conditional, name: str, typed: Mapping[str, Any]) -> Any:
    """No ``missing_rule`` or ``unexpected-value`` of a conditional field (the model's
    ``_conditional_violations``, over whole columns)."""
    import pyarrow.compute as pc

    present = pc.is_valid(typed[name])
    ok = pc.is_valid(present)  # all true
    if cond.required is not None:
        ok = pc.and_(ok, pc.or_(present, pc.invert(cond.required.holds_over(typed))))
    if cond.shown is not None:
        ok = pc.and_(ok, pc.or_(pc.invert(present), cond.shown.holds_over(typed)))
    return ok


def _owned_ids(record_class: type[RegistryRecord], typed: Mapping[str, Any]) -> Any:
    """The rows whose record ID is ``<patient_id>-<table letter><n>`` (``_id_violations``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = typed[record_class.id_field]
    parts = pc.extract_regex(ids, r"^(?P<head>.*)-(?P<suffix>[^-]*)$")
    head, suffix = pc.struct_field(parts, "head"), pc.struct_field(parts, "suffix")
    letter = pc.utf8_slice_codeunits(suffix, 0, 1)
    return pc.and_(
        pc.equal(head, typed["patient_id"]),
        pc.equal(letter, pa.scalar(record_class.id_prefix, pa.string())),
    )


def prefilter(
    record_class: type[RegistryRecord],
    rows: Sequence[Mapping[str, str]],
    skip: set[int] | frozenset[int] = frozenset(),
) -> Prefilter | None:
    """Split a chunk of rows as read (trimmed, blank cells left out) into rows that
    certainly pass ``record_class`` and rows for pydantic; None when the model has no vector
    form. ``skip``: rows of the chunk that must not pass (not read: pydantic gets them)."""
    plan = vector_plan(record_class)
    if plan is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(rows)
    names = [f.name for f in plan]
    if isinstance(rows, ArrowRows):
        if not set(rows.table.column_names) <= set(names):
            return Prefilter(None, list(range(count)))  # a key pydantic refuses: all to it
        texts = {
            n: pa.array(rows.column(n), pa.string())
            if n not in rows.table.column_names
            else rows.table.column(n).combine_chunks()
            for n in names
        }
    else:
        texts = {n: pa.array([row.get(n) for row in rows], pa.string()) for n in names}
        if sum(map(len, rows)) != sum(count - t.null_count for t in texts.values()):
            return Prefilter(None, list(range(count)))  # a key pydantic refuses: all to it
    ok = pa.array([True] * count, pa.bool_())
    typed: dict[str, Any] = {}
    for field in plan:
        passes, typed[field.name] = _column(field, texts[field.name])
        ok = pc.and_(ok, passes)
    for name, cond in record_class.conditionals.items():
        ok = pc.and_(ok, _conditional_holds(cond, name, typed))
    if record_class.id_prefix is not None:
        ok = pc.and_(ok, pc.fill_null(_owned_ids(record_class, typed), False))
    ok = pc.and_(ok, pc.fill_null(record_class.row_checks_hold(typed), False))
    if skip:
        ok = pc.and_(ok, pc.invert(pc.is_in(pa.array(range(count)), pa.array(sorted(skip)))))
    columns = {"_row": pa.array(range(count), pa.int64()), **typed}
    passed = pa.table({n: pc.filter(c, ok) for n, c in columns.items()})
    flagged = pc.indices_nonzero(pc.invert(ok)).to_pylist()
    return Prefilter(passed, flagged)
