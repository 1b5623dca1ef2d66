"""The anatomy the plausibility rules check, as data a clinician can read:
``data/anatomy.toml`` (combinations of codes that cannot happen, each with why and its
source). A rule on two fields of one record becomes a row rule of the model
(``row_checks``); a rule on a field of a referenced record, a check of the catalogue
(``registry.validation.catalogue.generic.anatomy``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from registry.models.row_checks import Disallowed

__all__ = ["ANATOMY_FILE", "AnatomyRule", "anatomy_rules", "row_checks"]

ANATOMY_FILE = Path(__file__).with_name("data") / "anatomy.toml"


@dataclass(frozen=True)
class AnatomyRule:
    """Combinations of ``field`` (of ``table``) and ``other`` that a rule refuses."""

    rule: str
    table: str
    field: str
    #: A field of ``table``, or ``table.field`` of the record ``via`` references.
    other: str
    via: str | None
    #: A flag of ``table`` that must be true for the rule to apply.
    when: str | None
    #: (field code, other code) pairs; "*" for every code of ``other``.
    cannot: tuple[tuple[str, str], ...]
    #: field code -> the only codes ``other`` may have with it.
    only: tuple[tuple[str, tuple[str, ...]], ...]
    why: str
    source: str

    @property
    def same_record(self) -> bool:
        return self.via is None

    def message(self) -> str:
        """The finding's message: a str.format template over {field} and {other}."""
        other = self.other.replace(".", " ")
        return f"{self.field} {{field}} with {other} {{other}}: {self.why}"


@cache
def anatomy_rules() -> tuple[AnatomyRule, ...]:
    declared = tomllib.loads(ANATOMY_FILE.read_text(encoding="utf-8"))["rule"]
    return tuple(
        AnatomyRule(
            rule=entry["id"],
            table=entry["table"],
            field=entry["field"],
            other=entry["other"],
            via=entry.get("via"),
            when=entry.get("when"),
            cannot=tuple((a, b) for a, b in entry.get("cannot", ())),
            only=tuple((code, tuple(allowed)) for code, allowed in entry.get("only", {}).items()),
            why=entry["why"],
            source=entry["source"],
        )
        for entry in declared
    )


def row_checks(table: str) -> tuple[Disallowed, ...]:
    """The row rules of ``table`` the anatomy declares (two fields of one record)."""
    out = []
    for rule in anatomy_rules():
        if rule.table != table or not rule.same_record:
            continue
        if rule.only or any("*" in pair for pair in rule.cannot) or rule.when:
            raise ValueError(f"{ANATOMY_FILE.name}: {rule.rule} on one record lists its pairs")
        out.append(
            Disallowed(rule.field, rule.other, frozenset(rule.cannot), rule.rule, rule.message())
        )
    return tuple(out)
