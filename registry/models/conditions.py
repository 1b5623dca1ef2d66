"""Conditions on other fields of the same record: when a field may and must hold a value.

One condition object serves the row validator (``holds``), the data dictionaries
(``text``), REDCap branching logic (``redcap``) and the published JSON Schemas
(``json_schema``: ``if``/``then``), so that a condition is written once, in the model's
``field(...)`` declaration (``registry.models.fields``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "All",
    "AtLeast",
    "Below",
    "Checked",
    "Cond",
    "Conditional",
    "EarlierConditional",
    "Eq",
    "In",
    "Ne",
    "Present",
    "conditional_of",
]


def _value(record: Any, name: str) -> Any:
    return getattr(record, name, None)


def _redcap_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "'1'" if value else "'0'"
    if isinstance(value, (int, float)):
        return str(value)
    return f"'{value}'"


class Cond:
    """A condition on other fields of the same record."""

    def holds(self, record: Any) -> bool:
        raise NotImplementedError

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        """``holds`` over whole columns of typed values (Arrow arrays, one per field; a
        missing value is null): a boolean array without nulls (the column-wise conformance
        of ``registry.validation.vector``; a test holds it to ``holds``)."""
        raise NotImplementedError

    def text(self) -> str:
        """Human-readable form, for data dictionaries and messages."""
        raise NotImplementedError

    def redcap(self, var: Any = str) -> str:
        """REDCap branching-logic form; ``var`` maps a field name to its REDCap variable."""
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema that a record satisfies exactly when the condition holds."""
        raise NotImplementedError

    def fields(self) -> tuple[str, ...]:
        raise NotImplementedError


def _json(value: Any) -> Any:
    return getattr(value, "value", value)


def _on(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``name`` is given (not null) and its value satisfies ``schema``."""
    return {
        "required": [name],
        "properties": {name: {"allOf": [{"not": {"type": "null"}}, schema]}},
    }


@dataclass(frozen=True)
class Eq(Cond):
    name: str
    value: Any

    def holds(self, record: Any) -> bool:
        return _value(record, self.name) == self.value

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        return _compare(columns, self.name, "equal", self.value)

    def text(self) -> str:
        return f"{self.name} = {_text(self.value)}"

    def redcap(self, var: Any = str) -> str:
        return f"[{var(self.name)}] = {_redcap_literal(self.value)}"

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {"const": _json(self.value)})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Ne(Cond):
    name: str
    value: Any

    def holds(self, record: Any) -> bool:
        current = _value(record, self.name)
        return current is not None and current != self.value

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        return _compare(columns, self.name, "not_equal", self.value)

    def text(self) -> str:
        return f"{self.name} ≠ {_text(self.value)}"

    def redcap(self, var: Any = str) -> str:
        # REDCap shows a field when the controlling field is empty and "<>" is used; the
        # extra test keeps it hidden until the controlling question has been answered.
        return f"[{var(self.name)}] <> '' and [{var(self.name)}] <> {_redcap_literal(self.value)}"

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {"not": {"const": _json(self.value)}})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class In(Cond):
    name: str
    values: tuple[Any, ...]

    def holds(self, record: Any) -> bool:
        return _value(record, self.name) in self.values

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = columns[self.name]
        values = pa.array([_json(v) for v in self.values], column.type)
        return pc.fill_null(pc.is_in(column, value_set=values), False)

    def text(self) -> str:
        return f"{self.name} is {' or '.join(_text(v) for v in self.values)}"

    def redcap(self, var: Any = str) -> str:
        return " or ".join(f"[{var(self.name)}] = {_redcap_literal(v)}" for v in self.values)

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {"enum": [_json(v) for v in self.values]})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class AtLeast(Cond):
    name: str
    value: float

    def holds(self, record: Any) -> bool:
        current = _value(record, self.name)
        return current is not None and current >= self.value

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        return _compare(columns, self.name, "greater_equal", self.value)

    def text(self) -> str:
        return f"{self.name} ≥ {self.value:g}"

    def redcap(self, var: Any = str) -> str:
        return f"[{var(self.name)}] >= {self.value:g}"

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {"minimum": self.value})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Below(Cond):
    name: str
    value: float

    def holds(self, record: Any) -> bool:
        current = _value(record, self.name)
        return current is not None and current < self.value

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        return _compare(columns, self.name, "less", self.value)

    def text(self) -> str:
        return f"{self.name} < {self.value:g}"

    def redcap(self, var: Any = str) -> str:
        return f"[{var(self.name)}] < {self.value:g}"

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {"exclusiveMaximum": self.value})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Present(Cond):
    name: str

    def holds(self, record: Any) -> bool:
        return _value(record, self.name) is not None

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        return pc.is_valid(columns[self.name])

    def text(self) -> str:
        return f"{self.name} is given"

    def redcap(self, var: Any = str) -> str:
        return f"[{var(self.name)}] <> ''"

    def json_schema(self) -> dict[str, Any]:
        return _on(self.name, {})

    def fields(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Checked(Cond):
    """A multi-select (checkbox) item has ``code`` ticked: column ``<item>___<code>`` = 1."""

    item: str
    code: str

    def holds(self, record: Any) -> bool:
        return bool(_value(record, f"{self.item}___{self.code}"))

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = columns[f"{self.item}___{self.code}"]
        return pc.fill_null(pc.cast(column, pa.bool_()), False)

    def text(self) -> str:
        return f"{self.item} includes {self.code}"

    def redcap(self, var: Any = str) -> str:
        return f"[{var(self.item)}({self.code})] = '1'"

    def json_schema(self) -> dict[str, Any]:
        return _on(f"{self.item}___{self.code}", {"const": True})

    def fields(self) -> tuple[str, ...]:
        return (f"{self.item}___{self.code}",)


@dataclass(frozen=True)
class All(Cond):
    parts: tuple[Cond, ...]

    def holds(self, record: Any) -> bool:
        return all(part.holds(record) for part in self.parts)

    def holds_over(self, columns: Mapping[str, Any]) -> Any:
        import pyarrow.compute as pc

        result = self.parts[0].holds_over(columns)
        for part in self.parts[1:]:
            result = pc.and_(result, part.holds_over(columns))
        return result

    def text(self) -> str:
        return " and ".join(part.text() for part in self.parts)

    def redcap(self, var: Any = str) -> str:
        return " and ".join(f"({part.redcap(var)})" for part in self.parts)

    def json_schema(self) -> dict[str, Any]:
        return {"allOf": [part.json_schema() for part in self.parts]}

    def fields(self) -> tuple[str, ...]:
        return tuple(name for part in self.parts for name in part.fields())


def _compare(columns: Mapping[str, Any], name: str, how: str, value: Any) -> Any:
    """``column <how> value`` where the column holds a value, false where it is missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = columns[name]
    scalar = pa.scalar(_json(value))
    if pa.types.is_integer(column.type) and pa.types.is_floating(scalar.type):
        column = pc.cast(column, pa.float64())  # 3 >= 2.5, as in Python
    return pc.fill_null(pc.call_function(how, [column, scalar.cast(column.type)]), False)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Conditional:
    """When a field may and must hold a value.

    ``shown``: a value is allowed only while this holds (else ``unexpected-value``).
    ``required``: a value is required while this holds (else ``missing_rule``).
    """

    shown: Cond | None = None
    required: Cond | None = None
    missing_rule: str = "missing-value"

    def json_schema(self, name: str) -> list[dict[str, Any]]:
        """``if``/``then`` clauses that any JSON Schema validator enforces for field ``name``."""
        clauses: list[dict[str, Any]] = []
        if self.required is not None:
            clauses.append({"if": self.required.json_schema(), "then": _on(name, {})})
        if self.shown is not None:
            clauses.append(
                {
                    "if": {"not": self.shown.json_schema()},
                    "then": {"properties": {name: {"type": "null"}}},
                }
            )
        return clauses

    def text(self) -> str:
        if self.shown is not None and self.shown == self.required:
            return f"iff {self.shown.text()}"
        parts = []
        if self.required is not None:
            parts.append(f"required when {self.required.text()}")
        if self.shown is not None:
            parts.append(f"only when {self.shown.text()}")
        return "; ".join(parts)


@dataclass(frozen=True)
class EarlierConditional:
    """The condition a field had in an earlier schema version (still read)."""

    version: str
    conditional: Conditional


def conditional_of(info: Any, version: str | None = None) -> Conditional | None:
    """The ``Conditional`` attached to a pydantic ``FieldInfo``, if any (``version``: as it
    was in that earlier schema version, where it differed)."""
    metadata = getattr(info, "metadata", ())
    if version is not None:
        for item in metadata:
            if isinstance(item, EarlierConditional) and item.version == version:
                return item.conditional
    for item in metadata:
        if isinstance(item, Conditional):
            return item
    return None
