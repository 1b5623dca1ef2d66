"""The validation report: one object, rendered as JSON (the contract of shared/design.md),
terminal text and a self-contained HTML page (report_text.py, report_html.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from registry.rules import rule as lookup_rule
from registry.validation.findings import Finding
from registry.version import SCHEMA_VERSION, __version__

__all__ = ["REPORT_SCHEMA_VERSION", "Report", "RuleSummary"]

REPORT_SCHEMA_VERSION = "1.0"
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class RuleSummary:
    rule: str
    severity: str
    category: str
    title: str
    count: int


@dataclass
class Report:
    """Everything a validation found, with what was validated."""

    source: str
    site_id: str | None
    submission_id: str | None
    tables: dict[str, int]
    findings: list[Finding]
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )
    seconds: float = 0.0
    kind: str = "registry submission"
    #: The schema version the submission was read as (its manifest's), if known.
    schema_version: str | None = None
    #: Tables a 1.0 submission did not include: not submitted, not "no rows".
    not_submitted: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        """No error findings: the submission may be sent (and loaded)."""
        return self.errors == 0

    def rules(self) -> list[RuleSummary]:
        """Failed rules in the order a person fixes them: the order of their first finding
        (the findings come files and manifest first, then identifiers, records, and the
        checks across records), errors before warnings."""
        counts = Counter(f.rule for f in self.findings)
        first: dict[str, int] = {}
        for index, f in enumerate(self.findings):
            first.setdefault(f.rule, index)
        out = []
        for rule_id, count in counts.items():
            known = lookup_rule(rule_id)
            out.append(RuleSummary(rule_id, known.severity, known.category, known.title, count))
        return sorted(out, key=lambda r: (SEVERITY_ORDER[r.severity], first[r.rule]))

    def by_rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule_id]

    def by_category(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.findings:
            bucket = out.setdefault(f.category, {"error": 0, "warning": 0})
            bucket[f.severity] += 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: schema_version, package_version, submission, summary, findings."""
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "package_version": __version__,
            "registry_schema_version": SCHEMA_VERSION,
            "created_at": self.created_at,
            "source": self.source,
            "submission": {
                "site_id": self.site_id,
                "submission_id": self.submission_id,
                "schema_version": self.schema_version,
                "tables": self.tables,
                "not_submitted": self.not_submitted,
            },
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "rules_failed": [r.rule for r in self.rules()],
            },
            "findings": [f.to_dict() for f in self.findings],
        }
