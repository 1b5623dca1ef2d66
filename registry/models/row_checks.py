"""Rules of a single row, declared once: each declaration checks a record (``violations``,
the validating path, pydantic) and whole columns (``holds_over``, the column-wise
conformance of ``registry.validation.vector``), and a test holds the two forms to each other
on fuzzed rows (``tests/validation/test_vector.py``).

A table lists its declarations in ``row_checks``; a rule that does not fit one of these
kinds is written in the model's ``row_rules`` instead, and that table's rows then all go
through pydantic.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from registry.models.conditions import Cond

__all__ = [
    "Allowed",
    "Derived",
    "Disallowed",
    "Never",
    "NotBefore",
    "OwnPrefix",
    "RowCheck",
    "Violation",
    "WithinRange",
]


class Violation(NamedTuple):
    """One broken row rule: the rule ID, the field it is reported on, and why."""

    rule: str
    field: str
    message: str


def _code(value: Any) -> Any:
    return getattr(value, "value", value)


class RowCheck:
    """A rule on the fields of one row."""

    def violations(self, record: Any) -> Iterator[Violation]:
        raise NotImplementedError

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        """True where ``violations`` yields nothing, over whole columns of typed values
        (Arrow arrays, one per field); a null counts as a violation (the row goes to
        pydantic, which says what it is)."""
        raise NotImplementedError


@dataclass(frozen=True)
class NotBefore(RowCheck):
    """``later`` (if given) is not before ``earlier``."""

    later: str
    earlier: str
    rule: str = "end-before-start"

    def violations(self, record: Any) -> Iterator[Violation]:
        end, start = getattr(record, self.later), getattr(record, self.earlier)
        if end is not None and start is not None and end < start:
            yield Violation(
                self.rule, self.later, f"{self.later} {end} is before {self.earlier} {start}"
            )

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        end, start = columns[self.later], columns[self.earlier]
        return pc.fill_null(pc.greater_equal(end, start), True)


@dataclass(frozen=True)
class OwnPrefix(RowCheck):
    """``field`` (an ID whose pattern holds: one '-') starts with ``owner`` and a '-'."""

    field: str
    owner: str
    rule: str
    message: str  # str.format: the owner's value as {owner}

    def violations(self, record: Any) -> Iterator[Violation]:
        owner = getattr(record, self.owner)
        if not getattr(record, self.field).startswith(f"{owner}-"):
            yield Violation(self.rule, self.field, self.message.format(owner=owner))

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        head = pc.struct_field(pc.extract_regex(columns[self.field], r"^(?P<head>[^-]*)-"), "head")
        return pc.fill_null(pc.equal(head, columns[self.owner]), False)


@dataclass(frozen=True)
class Allowed(RowCheck):
    """``field`` holds one of the values ``allowed`` lists for the row's ``key`` (a field
    left empty is allowed when ``optional``)."""

    key: str
    field: str
    allowed: Mapping[Any, frozenset[Any]]
    rule: str
    #: str.format: {key} and {value} (codes), {allowed} (the allowed codes, or "none")
    message: str
    optional: bool = False

    def violations(self, record: Any) -> Iterator[Violation]:
        key, value = getattr(record, self.key), getattr(record, self.field)
        if value is None and self.optional:
            return
        allowed = self.allowed.get(key, frozenset())
        if value not in allowed:
            listed = ", ".join(sorted(_code(v) for v in allowed)) or "none"
            text = self.message.format(key=_code(key), value=_code(value), allowed=listed)
            yield Violation(self.rule, self.field, text)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        pairs = [f"{_code(k)}|{_code(v)}" for k, values in self.allowed.items() for v in values]
        joined = pc.binary_join_element_wise(columns[self.key], columns[self.field], "|")
        ok = pc.fill_null(pc.is_in(joined, value_set=pa.array(pairs, pa.string())), False)
        if self.optional:
            ok = pc.or_(pc.is_null(columns[self.field]), ok)
        return ok


@dataclass(frozen=True)
class WithinRange(RowCheck):
    """``field`` lies within the range ``ranges`` gives the row's ``key`` (both ends
    included); a range is anything with ``low`` and ``high`` (and whatever else its
    message names)."""

    key: str
    field: str
    ranges: Mapping[Any, Any]
    rule: str
    #: str.format: {key} (code), {value}, and the range's own fields ({low}, {high}, ...)
    message: str

    def violations(self, record: Any) -> Iterator[Violation]:
        key, value = getattr(record, self.key), getattr(record, self.field)
        limits = self.ranges[key]
        if not limits.low <= value <= limits.high:
            fields = {k: _code(v) for k, v in limits._asdict().items()}
            text = self.message.format(key=_code(key), value=value, **fields)
            yield Violation(self.rule, self.field, text)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = list(self.ranges)
        index = pc.index_in(columns[self.key], value_set=pa.array([_code(k) for k in keys]))
        low = pc.take(pa.array([float(self.ranges[k].low) for k in keys]), index)
        high = pc.take(pa.array([float(self.ranges[k].high) for k in keys]), index)
        value = columns[self.field]
        within = pc.and_(pc.greater_equal(value, low), pc.less_equal(value, high))
        return pc.fill_null(within, False)


@dataclass(frozen=True)
class Derived(RowCheck):
    """Where ``applies`` holds and ``field`` is given, it is ``if_true`` when ``condition``
    holds and ``if_false`` otherwise."""

    field: str
    applies: Cond
    condition: Cond
    if_true: Enum
    if_false: Enum
    rule: str
    #: str.format: the record's fields by name, and {expected} (the code)
    message: str

    def expected(self, record: Any) -> Enum:
        return self.if_true if self.condition.holds(record) else self.if_false

    def violations(self, record: Any) -> Iterator[Violation]:
        value = getattr(record, self.field)
        if value is None or not self.applies.holds(record):
            return
        expected = self.expected(record)
        if value != expected:
            fields = {name: getattr(record, name) for name in type(record).model_fields}
            text = self.message.format(expected=expected.value, **fields)
            yield Violation(self.rule, self.field, text)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        value = columns[self.field]
        expected = pc.if_else(
            self.condition.holds_over(columns), self.if_true.value, self.if_false.value
        )
        checked = pc.and_(pc.is_valid(value), self.applies.holds_over(columns))
        consistent = pc.or_kleene(pc.invert(checked), pc.equal(value, expected))
        return pc.fill_null(consistent, False)


@dataclass(frozen=True)
class Disallowed(RowCheck):
    """The pairs of codes of ``field`` and ``other`` that cannot go together (a field left
    empty is not checked): the anatomy of ``registry/models/data/anatomy.toml``."""

    field: str
    other: str
    pairs: frozenset[tuple[str, str]]
    rule: str
    #: str.format: {field} and {other} (the codes)
    message: str

    def violations(self, record: Any) -> Iterator[Violation]:
        value, other = getattr(record, self.field), getattr(record, self.other)
        if value is None or other is None:
            return
        if (_code(value), _code(other)) in self.pairs:
            text = self.message.format(field=_code(value), other=_code(other))
            yield Violation(self.rule, self.field, text)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        pairs = [f"{a}|{b}" for a, b in sorted(self.pairs)]
        joined = pc.binary_join_element_wise(columns[self.field], columns[self.other], "|")
        bad = pc.fill_null(pc.is_in(joined, value_set=pa.array(pairs, pa.string())), False)
        return pc.invert(bad)


@dataclass(frozen=True)
class Never(RowCheck):
    """A combination ``condition`` describes that cannot be (reported on ``field``)."""

    condition: Cond
    field: str
    rule: str
    message: str

    def violations(self, record: Any) -> Iterator[Violation]:
        if self.condition.holds(record):
            yield Violation(self.rule, self.field, self.message)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        return pc.invert(self.condition.holds_over(columns))
