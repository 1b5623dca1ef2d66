"""One check of the catalogue: the SQL of one expectation and what it declares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.rules import rule as lookup_rule

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    """A check: its rule (severity and category come from ``registry.rules``), the suite
    it belongs to, the query the rules engine runs, and what it reads."""

    rule: str
    suite: str
    description: str
    sql: str
    #: table -> columns the query reads (checked against the models by a test).
    columns: dict[str, list[str]]
    #: Thresholds, also written into the expectation's ``meta``.
    params: dict[str, Any] = field(default_factory=dict)
    #: Columns the query computes itself (not model columns).
    derived: list[str] = field(default_factory=list)
    #: Where it is declared: a file of ``sql/`` or the generator in ``generic.py``.
    source: str = ""
    #: A Great Expectations built-in that does this check's work in the published suites
    #: (its type and keyword arguments); ``sql`` does the same work for the rules engine, and
    #: a test holds the two to the same findings.
    builtin: tuple[str, dict[str, Any]] | None = None
    #: Tables whose rows the findings rely on being all there (a reference's target, the
    #: subject of a NOT EXISTS): a check is not run when one of them could not be read, for
    #: its findings would be false. None: every table it reads (``columns``).
    needs: tuple[str, ...] | None = None
    #: What ``sql`` returns: "rows", the offending rows; "share", the ``total`` rows and
    #: the ``missing`` ones of one column (``rule_rows.share_finding`` decides).
    shape: str = "rows"

    @property
    def needed(self) -> frozenset[str]:
        return frozenset(self.columns if self.needs is None else self.needs)

    def expectation(self) -> dict[str, Any]:
        """The Great Expectations configuration (JSON) of this check."""
        known = lookup_rule(self.rule)
        meta: dict[str, Any] = {
            "rule": self.rule,
            "severity": known.severity,
            "category": known.category,
            "tables": list(self.columns),
            "needs": sorted(self.needed),
            "columns": self.columns,
            **self.params,
        }
        if self.derived:
            meta["derived"] = self.derived
        if self.builtin is not None:
            kind, kwargs = self.builtin
        else:
            kind, kwargs = "unexpected_rows_expectation", {"unexpected_rows_query": self.sql}
        return {"type": kind, "kwargs": kwargs, "description": self.description, "meta": meta}
