"""The base of every registry record: CSV-friendly parsing and row rules with rule IDs.

A record class (e.g. ``CatheterRecord``) validates; its table class (``Catheter``,
``table=True``) persists and, like every SQLModel table class, does *not* validate on
construction (sqlmodel #52). Sites' data always goes through the record class.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from registry.models.fields import Conditional, conditional_of
from registry.models.row_checks import NotBefore, RowCheck, Violation
from registry.version import SCHEMA_VERSION

__all__ = [
    "ROW_RULES_ERROR",
    "VERSION_COLUMN",
    "RegistryRecord",
    "StoredRecord",
    "Violation",
]

#: pydantic error type under which a record's row-rule violations travel (in ``ctx``).
ROW_RULES_ERROR = "row-rules"


class RegistryRecord(SQLModel):
    """Common behaviour of all registry records.

    Values are typed or text (as read from CSV); unknown keys are refused (they might carry
    identifiers). CSV's conventions (blank = missing, padded cells) are applied by
    ``registry.parse_row`` / ``parse_rows``, the validating path for site data.
    """

    model_config = ConfigDict(  # type: ignore[assignment]
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        validate_default=False,
    )

    #: Submission table name (file ``<table>.csv``).
    table_name: ClassVar[str] = ""
    #: Letter that record IDs of this table carry after the patient ID (None for patients).
    id_prefix: ClassVar[str | None] = None
    #: Name of the primary-key field.
    id_field: ClassVar[str] = ""
    #: Rule IDs this model checks beyond single fields (for documentation and coverage).
    row_rule_ids: ClassVar[tuple[str, ...]] = ()
    #: The rules of a single row, declared (``row_checks``): each checks a record and whole
    #: columns alike. Rules that fit none of those kinds go in ``row_rules``.
    row_checks: ClassVar[tuple[RowCheck, ...]] = ()
    #: Conditional fields, collected from the field declarations.
    conditionals: ClassVar[dict[str, Conditional]] = {}
    #: The schema version whose fields this class reads (``versions.record_for`` makes the
    #: classes of earlier versions), and the version that added the table (None: 1.0).
    schema_version: ClassVar[str] = SCHEMA_VERSION
    since: ClassVar[str | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.conditionals = {
            name: cond
            for name, info in cls.model_fields.items()
            if (cond := conditional_of(info)) is not None
        }

    @model_validator(mode="after")
    def _row_rules(self) -> Any:
        violations = list(self._conditional_violations())
        violations.extend(self._id_violations())
        for check in self.row_checks:
            violations.extend(check.violations(self))
        violations.extend(self.row_rules())
        if violations:
            raise PydanticCustomError(
                ROW_RULES_ERROR,
                "{count} row rule(s) broken",
                {"count": len(violations), "violations": violations},
            )
        return self

    def row_rules(self) -> Iterator[Violation]:
        """Rules of this table that need only this row and are not declared in
        ``row_checks`` (overridden per table; such a table's rows all go through pydantic,
        ``registry.validation.vector``)."""
        return iter(())

    @classmethod
    def row_checks_hold(cls, columns: Mapping[str, Any]) -> Any:
        """``row_checks`` over whole columns of typed values (Arrow arrays, one per field):
        true where none of them is broken."""
        import pyarrow as pa
        import pyarrow.compute as pc

        ok = pa.scalar(True)
        for check in cls.row_checks:
            ok = pc.and_(ok, check.holds_over(columns))
        return ok

    # -- shared rule helpers -------------------------------------------------------------
    def _conditional_violations(self) -> Iterator[Violation]:
        for name, cond in self.conditionals.items():
            present = getattr(self, name) is not None
            if not present and cond.required is not None and cond.required.holds(self):
                yield Violation(
                    cond.missing_rule, name, f"{name} is required when {cond.required.text()}"
                )
            elif present and cond.shown is not None and not cond.shown.holds(self):
                yield Violation(
                    "unexpected-value",
                    name,
                    f"{name} must be empty unless {cond.shown.text()}",
                )

    def _id_violations(self) -> Iterator[Violation]:
        if self.id_prefix is None:
            return
        record_id: str = getattr(self, self.id_field)
        head, _, suffix = record_id.rpartition("-")
        # The field pattern already holds: only the owner and the table letter remain.
        if head != self.patient_id or suffix[:1] != self.id_prefix:  # type: ignore[attr-defined]
            expected = f"{self.patient_id}-{self.id_prefix}"  # type: ignore[attr-defined]
            yield Violation(
                "id-format",
                self.id_field,
                f"{self.id_field} must be '{expected}<n>' (its patient_id, then "
                f"'-{self.id_prefix}' and a number)",
            )

    def _not_before(
        self, later: str, earlier: str, rule: str = "end-before-start"
    ) -> Iterator[Violation]:
        """``later`` (if given) must not be before ``earlier`` (for a model's ``row_rules``;
        declared, ``NotBefore`` in ``row_checks``)."""
        return NotBefore(later, earlier, rule).violations(self)

    @classmethod
    def validate_in_one_pass(cls) -> None:
        """Build records without SQLModel's ``__init__`` (which validates a second time).

        pydantic routes validation through a custom ``__init__``; SQLModel has one. For the
        validating (non-table) classes that detour halves throughput for nothing, so their
        schema is rebuilt without it. Table classes keep SQLModel's behaviour.
        """
        cls.__pydantic_custom_init__ = False
        cls.model_rebuild(force=True)


#: The column of every registry table that ``StoredRecord`` adds (staging has it too).
VERSION_COLUMN = "submission_schema_version"


class StoredRecord(SQLModel):
    """What the registry database keeps beside a record's fields (not submitted)."""

    #: The schema version of the submission the record came from: a 1.0 record's 1.1
    #: fields are "not collected", not missing (spec, "Changes in 1.1").
    submission_schema_version: str | None = Field(
        default=None, max_length=8, description="schema_version of the record's submission"
    )
