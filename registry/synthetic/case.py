"""One synthetic patient's history while it is being generated.

Records are plain dicts keyed by field name. A reference to another record holds that
record's dict until IDs are assigned at the end (``Case.finish``), so generators never
need to know IDs.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import Any

from registry.models import TABLE_NAMES, table_spec
from registry.synthetic.draw import Draw
from registry.synthetic.profile import CohortProfile

__all__ = ["DATE_FIELD", "Case", "Rec", "days"]

Rec = dict[str, Any]

#: The date that orders a table's records (record numbers follow it).
DATE_FIELD = {
    "treatment_phases": "start_date",
    "catheters": "insertion_date",
    "asparaginase_doses": "administration_date",
    "thrombophilia_tests": "sample_date",
    "vte_events": "diagnosis_date",
    "anticoagulation_courses": "start_date",
    "dose_adjustments": "date",
    "lab_results": "date",
    "bleeding_events": "date",
    "vte_assessments": "date",
    "vte_interventions": "date",
}
#: Reference fields whose value is another record (dict) until IDs are assigned.
REFERENCES = {
    "vte_events": ("catheter_id", "recurrence_of_event_id"),
    "anticoagulation_courses": ("event_id",),
    "dose_adjustments": ("course_id",),
    "lab_results": ("course_id",),
    "bleeding_events": ("course_id",),
    "vte_assessments": ("event_id",),
    "vte_interventions": ("event_id",),
}


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass
class Case:
    """A patient being generated: baseline facts, the follow-up horizon and the records."""

    patient_id: str
    draw: Draw
    profile: CohortProfile
    patient: Rec
    dx: dt.date
    horizon: dt.date  # last contact (the death date for a patient who died)
    cutoff: dt.date
    weight: float
    risk_high: bool
    death: dt.date | None = None
    cause_of_death: str | None = None
    lost_to_follow_up: bool = False
    tables: dict[str, list[Rec]] = field(default_factory=lambda: {t: [] for t in TABLE_NAMES})

    # -- lookups --------------------------------------------------------------------------
    @property
    def age_months(self) -> int:
        return int(self.patient["age_at_diagnosis_months"])

    def add(self, table: str, record: Rec) -> Rec:
        self.tables[table].append(record)
        return record

    def phases(self) -> list[Rec]:
        return self.tables["treatment_phases"]

    def phase_on(self, day: dt.date) -> Rec | None:
        for phase in self.phases():
            end = phase["end_date"] or self.horizon
            if phase["start_date"] <= day <= end:
                return phase
        return None

    def phase_named(self, code: str) -> Rec | None:
        return next((p for p in self.phases() if p["phase"] == code), None)

    def catheter_in_place(self, day: dt.date) -> Rec | None:
        for cat in self.tables["catheters"]:
            removed = cat["removal_date"]
            if cat["insertion_date"] <= day and (removed is None or day <= removed):
                return cat
        return None

    def courses_on(self, day: dt.date) -> list[Rec]:
        return [c for c in self.tables["anticoagulation_courses"] if course_active(c, day, self)]

    def course_end(self, course: Rec) -> dt.date:
        return course["stop_date"] or self.horizon

    def treated_event_ids(self) -> set[int]:
        """``id()`` of the events a treatment course names (events are dicts until IDs)."""
        return {
            id(c["event_id"])
            for c in self.tables["anticoagulation_courses"]
            if c["intent"] == "treatment" and c["event_id"] is not None
        }

    # -- death ----------------------------------------------------------------------------
    def die(self, day: dt.date, cause: str) -> None:
        """The patient dies on ``day``: nothing may be dated later; open records close."""
        self.death, self.cause_of_death = day, cause
        self.horizon = day
        for table, date_field in DATE_FIELD.items():
            self.tables[table] = [r for r in self.tables[table] if r[date_field] <= day]
        for phase in self.phases():
            if phase["end_date"] is None or phase["end_date"] > day:
                phase["end_date"] = day
        for cat in self.tables["catheters"]:  # a catheter in place is removed at death
            if cat["removal_date"] is None or cat["removal_date"] > day:
                cat["removal_date"], cat["removal_reason"] = day, "death"
        for course in self.tables["anticoagulation_courses"]:
            if course["stop_date"] is None or course["stop_date"] > day:
                course["stop_date"], course["stop_reason"] = day, "death"
        self._drop_dangling()

    def _drop_dangling(self) -> None:
        alive = {id(r) for t in self.tables.values() for r in t}
        for table, fields in REFERENCES.items():
            kept = []
            for record in self.tables[table]:
                required = table in (
                    "dose_adjustments",
                    "vte_assessments",
                    "vte_interventions",
                ) or (table == "anticoagulation_courses" and record["intent"] == "treatment")
                dangling = [
                    f for f in fields if record[f] is not None and id(record[f]) not in alive
                ]
                if dangling and required:
                    continue
                for f in dangling:
                    record[f] = None
                kept.append(record)
            self.tables[table] = kept

    # -- IDs ------------------------------------------------------------------------------
    def finish(self) -> dict[str, list[Rec]]:
        """Number each table's records by date and replace references by IDs."""
        for table, date_field in DATE_FIELD.items():
            spec = table_spec(table)
            prefix = spec.record.id_prefix
            records = sorted(self.tables[table], key=operator.itemgetter(date_field))
            for n, record in enumerate(records, start=1):
                record[spec.id_field] = f"{self.patient_id}-{prefix}{n}"
                record["patient_id"] = self.patient_id
            self.tables[table] = records
        for table, fields in REFERENCES.items():
            id_of = {  # referenced record -> its ID
                "catheter_id": "catheter_id",
                "recurrence_of_event_id": "event_id",
                "event_id": "event_id",
                "course_id": "course_id",
            }
            for record in self.tables[table]:
                for f in fields:
                    target = record[f]
                    if isinstance(target, dict):
                        record[f] = target[id_of[f]]
        self.tables["patients"] = [self.patient]
        return self.tables


def course_active(course: Rec, day: dt.date, case: Case) -> bool:
    return course["start_date"] <= day <= case.course_end(course)
