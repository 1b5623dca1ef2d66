"""``survey summarize``: per item the number answering and counts and percentages per code
(of those answering), multi-select items per option, the response rate, and the practice
items cross-tabulated by practice type and by years in practice."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.models.survey import CALIBRATION_FILE, ITEMS, Item, SurveyResponse

__all__ = ["BY", "ItemSummary", "Summary", "summarize", "summarize_records"]

#: The respondent characteristics practice items are cross-tabulated by.
BY = ("q01_practice_type", "q02_years_in_practice")
_PRACTICE_SECTIONS = ("C.", "D.", "E.", "F.", "G.", "H.", "I.", "J.")


@dataclass
class ItemSummary:
    item: str
    label: str
    kind: str
    answered: int
    counts: dict[str, int]
    percent: dict[str, float]
    labels: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"answered": self.answered, "counts": self.counts, "percent": self.percent}


@dataclass
class Summary:
    n: int
    invited: int | None
    items: dict[str, ItemSummary]
    crosstabs: dict[str, dict[str, dict[str, dict[str, int]]]] = field(default_factory=dict)
    excluded: int = 0
    source: str = ""
    #: Items whose (synthetic) answers are not calibrated to a published figure; None when
    #: the export says nothing about calibration (real responses).
    not_calibrated: list[str] | None = None

    def calibrated(self, item_id: str) -> bool | None:
        return None if self.not_calibrated is None else item_id not in self.not_calibrated

    @property
    def response_rate(self) -> float | None:
        if not self.invited:
            return None
        return round(100 * self.n / self.invited, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "invited": self.invited,
            "response_rate": self.response_rate,
            "excluded_invalid": self.excluded,
            "not_calibrated_items": self.not_calibrated,
            "items": {
                k: {**v.to_dict(), "calibrated": self.calibrated(k)} for k, v in self.items.items()
            },
            "crosstabs": self.crosstabs,
        }


def _values(it: Item, record: Any) -> list[str]:
    if it.kind == "multi":
        return it.ticked(record)
    value = getattr(record, it.id, None)
    if value is None:
        return []
    return [str(getattr(value, "value", value))]


def _item_summary(it: Item, records: list[Any]) -> ItemSummary:
    answered = 0
    counts: Counter[str] = Counter()
    for record in records:
        values = _values(it, record)
        if values:
            answered += 1
            counts.update(values)
    if it.codes is not None:
        order = it.codes.codes()
        labels = {m.value: m.label for m in it.codes}
    else:
        order = sorted(counts, key=lambda c: (len(c), c))
        labels = {c: c for c in order}
    ordered = {c: counts[c] for c in order if it.codes is not None or counts[c]}
    percent = {c: round(100 * k / answered, 1) if answered else 0.0 for c, k in ordered.items()}
    return ItemSummary(it.id, it.label, it.kind, answered, ordered, percent, labels)


def _crosstab(it: Item, by: Item, records: list[Any]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    groups = by.codes.codes() if by.codes is not None else []
    for group in groups:
        members = [r for r in records if _values(by, r) == [group]]
        counts = Counter(v for r in members for v in _values(it, r))
        table[group] = {c: counts[c] for c in (it.codes.codes() if it.codes else sorted(counts))}
    return table


def summarize_records(
    records: list[SurveyResponse], invited: int | None = None, excluded: int = 0, source: str = ""
) -> Summary:
    items = {it.id: _item_summary(it, records) for it in ITEMS}
    by_items = [it for it in ITEMS if it.id in BY]
    crosstabs = {
        it.id: {by.id: _crosstab(it, by, records) for by in by_items}
        for it in ITEMS
        if it.section.startswith(_PRACTICE_SECTIONS) and it.kind in ("single", "multi")
    }
    return Summary(
        n=len(records) + excluded,
        invited=invited,
        items=items,
        crosstabs=crosstabs,
        excluded=excluded,
        source=source,
    )


def summarize(path: Path | str, invited: int | None = None) -> tuple[Summary, Any]:
    """Summarize the responses of an export that pass validation; returns (summary, report).

    ``n`` counts every response in the export; responses with error findings are left out
    of the item counts (``excluded_invalid``)."""
    from registry.survey.validate import check_survey
    from registry.validation.inputs import UnusableInput

    report, records = check_survey(Path(path))
    responses = report.tables.get("survey_responses", 0)
    if invited is not None and responses > invited:
        raise UnusableInput(
            f"{path} holds {responses:,} responses but --invited says {invited:,} providers "
            "were invited: more responses than invitations (duplicates, or the wrong number?)"
        )
    excluded = responses - len(records)
    summary = summarize_records(records, invited, excluded, str(path))
    summary.not_calibrated = _not_calibrated(Path(path))
    return summary, report


def _not_calibrated(path: Path) -> list[str] | None:
    """The items the synthetic generator did not calibrate (CALIBRATION_FILE beside the
    export or inside its folder), or None for an export without one."""
    folder = path if path.is_dir() else path.parent
    sidecar = folder / CALIBRATION_FILE
    if not sidecar.is_file():
        return None
    try:
        items = json.loads(sidecar.read_text(encoding="utf-8"))["not_calibrated"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    known = {it.id for it in ITEMS}
    return [i for i in items if isinstance(i, str) and i in known]
