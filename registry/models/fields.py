"""Building blocks for model fields: CSV-aware types and the ``field()`` helper (conditions,
re-exported here, live in ``registry.models.conditions``).

Every field's description, unit, range and condition is declared once, in ``field(...)``;
JSON Schema, the data dictionaries and the REDCap dictionaries are generated from it, and
the same condition objects drive the row validator and REDCap branching logic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlmodel import Field, String

from registry.models.conditions import (
    All,
    AtLeast,
    Below,
    Checked,
    Cond,
    Conditional,
    EarlierConditional,
    Eq,
    In,
    Ne,
    Present,
    conditional_of,
)

__all__ = [
    "CODE",
    "EARLIEST_DATE",
    "FALSE_TEXTS",
    "TRUE_TEXTS",
    "All",
    "AtLeast",
    "Below",
    "Bound",
    "Checked",
    "Cond",
    "Conditional",
    "Date",
    "EarlierConditional",
    "Eq",
    "Flag",
    "In",
    "Ne",
    "Present",
    "conditional_of",
    "field",
    "iso_date",
    "not_before_floor",
    "own_id",
    "patient_ref",
    "read_flag",
    "ref",
    "since_of",
]

#: Column type of code fields: the code text (native ENUM types would tie PostgreSQL
#: migrations to every code-list change, and SQLAlchemy would store member names).
CODE = String(40)

#: The earliest date any field may hold: ALL diagnosed from 2000-01-01 (spec, patients), and
#: no date allowed more than 30 days before diagnosis (catheter insertion, VTE events). Dates
#: with no relative bound in the spec (lab, thrombophilia sample, bleed) get the same floor.
EARLIEST_DATE = dt.date(1999, 12, 2)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Dates in another layout (03/01/2021, 2021/3/1, 2021-03-01T00:00): right idea, wrong layout.
_OTHER_DATE_LAYOUT = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T].*)?$")
#: The texts a flag is read from (any case).
TRUE_TEXTS = {"true", "1", "yes"}
FALSE_TEXTS = {"false", "0", "no"}


def iso_date(value: Any) -> Any:
    """Dates are ISO 8601 calendar dates only; a time part or another layout is a type error."""
    # The common case first (millions of cells): exactly YYYY-MM-DD in ASCII. Anything else,
    # including a day that does not exist, takes the full path below and its messages.
    if type(value) is str and len(value) == 10 and value[4] == value[7] == "-":
        try:
            if value.isascii() and value[:4].isdigit():
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("type-error", "expected a date (YYYY-MM-DD), not a timestamp")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise PydanticCustomError(
                    "type-error", "not a calendar date (no such day)"
                ) from None
        if _OTHER_DATE_LAYOUT.match(text):
            raise PydanticCustomError(
                "pattern-mismatch", "dates are written YYYY-MM-DD (ISO 8601), without a time"
            )
    raise PydanticCustomError("type-error", "expected a calendar date YYYY-MM-DD")


def read_flag(value: Any) -> Any:
    """true/false, and in CSV also 1/0 and yes/no (case-insensitive); nothing else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
    raise PydanticCustomError("type-error", "expected true or false (or 1/0, yes/no)")


def not_before_floor(value: dt.date) -> dt.date:
    if value < EARLIEST_DATE:
        raise PydanticCustomError(
            "out-of-range",
            "before {floor}, the earliest date of the registry",
            {"floor": EARLIEST_DATE.isoformat()},
        )
    return value


#: A calendar date, read strictly as ``YYYY-MM-DD``, not before ``EARLIEST_DATE``.
Date = Annotated[
    dt.date,
    BeforeValidator(iso_date),
    AfterValidator(not_before_floor),
    WithJsonSchema({"type": "string", "format": "date"}),
]
#: A boolean, read from ``true``/``false``, ``1``/``0`` or ``yes``/``no``.
Flag = Annotated[bool, BeforeValidator(read_flag), WithJsonSchema({"type": "boolean"})]


def since_of(info: Any) -> str | None:
    """The schema version that added the field (None: there from the start)."""
    extra = getattr(info, "json_schema_extra", None)
    return extra.get("x-since") if isinstance(extra, dict) else None


@dataclass(frozen=True)
class Bound:
    """A date bounded by a date of the record it references (rule date-outside-reference):
    not before (or, ``not_after``, not after) ``date`` of the record named by ``reference``,
    moved by ``days``. Checked only where both dates are given."""

    reference: str
    date: str
    days: int = 0
    not_after: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "date": self.date,
            "days": self.days,
            "not_after": self.not_after,
        }

    def text(self, target: str) -> str:
        """``not before vte_events.diagnosis_date - 1 day``: for messages and dictionaries."""
        shift = "" if not self.days else f" {'+' if self.days > 0 else '-'} {abs(self.days)} day"
        shift += "s" if abs(self.days) > 1 else ""
        return f"{'not after' if self.not_after else 'not before'} {target}.{self.date}{shift}"


def field(
    description: str,
    *,
    unit: str | None = None,
    required: bool = True,
    iff: Cond | None = None,
    required_when: Cond | None = None,
    only_when: Cond | None = None,
    missing_rule: str = "missing-value",
    source: str | None = None,
    not_before_diagnosis_days: int | None = None,
    bounds: tuple[Bound, ...] = (),
    record_date: bool = False,
    monitor_completeness: bool = False,
    since: str | None = None,
    required_when_in_1_0: Cond | None = None,
    **kwargs: Any,
) -> Any:
    """Declare a field once: description, unit, range (ge/le/gt/max_length), condition,
    and the facts the generated checks read: ``not_before_diagnosis_days`` (a date at most
    that many days before the ALL diagnosis), ``bounds`` (a date bounded by a date of a
    referenced record), ``record_date`` (the date a record happened on, which the patient's
    last contact bounds) and ``monitor_completeness`` (an optional field whose absence means
    "not recorded").

    ``since``: the schema version that added the field. A submission of an earlier version
    does not collect it: its column is nullable in the database even when required now.
    ``required_when_in_1_0``: the field's condition in schema 1.0, where it differed
    (``required when``, no ``only when``).

    ``required=False`` or any condition makes the field optional (default None); the
    condition then says when it must or may be filled.
    """
    conditional = None
    if iff is not None or required_when is not None or only_when is not None:
        conditional = Conditional(
            shown=iff if iff is not None else only_when,
            required=iff if iff is not None else required_when,
            missing_rule=missing_rule,
        )
    extra: dict[str, Any] = {}
    if unit:
        extra["x-unit"] = unit
    if source:
        extra["x-source"] = source
    if not_before_diagnosis_days is not None:
        extra["x-not-before-diagnosis-days"] = not_before_diagnosis_days
    if bounds:
        extra["x-bounds"] = [b.to_json() for b in bounds]
    if record_date:
        extra["x-record-date"] = True
    if monitor_completeness:
        extra["x-completeness-monitored"] = True
    if conditional is not None:
        extra["x-condition"] = conditional.text()
    if since is not None:
        extra["x-since"] = since
        kwargs.setdefault("nullable", True)  # null for records of earlier submissions
    optional = conditional is not None or not required
    schema_extra: dict[str, Any] = {"json_schema_extra": extra} if extra else {}
    if "pattern" in kwargs:  # sqlmodel.Field has no ``pattern``; pydantic's FieldInfo does
        schema_extra["pattern"] = kwargs.pop("pattern")
    info = Field(
        default=None if optional else ...,
        description=description,
        schema_extra=schema_extra or None,
        **kwargs,
    )
    if conditional is not None:
        info.metadata.append(conditional)
    if required_when_in_1_0 is not None:
        earlier = Conditional(required=required_when_in_1_0, missing_rule=missing_rule)
        info.metadata.append(EarlierConditional("1.0", earlier))
    return info


# --- identifiers and references -----------------------------------------------------------
def own_id(description: str) -> Any:
    """The primary key of a non-patient table: ``<patient_id>-<prefix><n>``."""
    from registry.models.ids import RECORD_ID_PATTERN

    return field(description, pattern=RECORD_ID_PATTERN, primary_key=True, max_length=30)


def patient_ref() -> Any:
    """The owning patient: a reference to patients.patient_id, indexed."""
    from registry.models.ids import PATIENT_ID_PATTERN

    return field(
        "The patient this record belongs to (-> patients).",
        pattern=PATIENT_ID_PATTERN,
        foreign_key="patients.patient_id",
        index=True,
        max_length=17,
    )


def ref(target: str, description: str, **kwargs: Any) -> Any:
    """A reference to another record of the same patient, e.g. ``ref("catheters.catheter_id")``."""
    from registry.models.ids import RECORD_ID_PATTERN

    return field(
        description, pattern=RECORD_ID_PATTERN, foreign_key=target, max_length=30, **kwargs
    )
