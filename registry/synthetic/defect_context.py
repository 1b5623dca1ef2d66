"""What defect injection works with: the ground truth (``Defect``), the defects that live in
files (``FileDefects``), one patient's records and the run's context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from registry.models import table_spec
from registry.models.anticoagulation_courses import ANTI_XA_MONITORED
from registry.synthetic.case import Rec
from registry.synthetic.cohort import Cohort
from registry.synthetic.draw import Draw

__all__ = [
    "ENCODING_MARKER",
    "LATIN1_TEXT",
    "STRAY_TABLE",
    "UNREADABLE_TABLE",
    "Context",
    "Defect",
    "FileDefects",
    "Injector",
    "PatientRecords",
    "defect",
    "first",
]

#: Where an encoding error is planted: this text, in another encoding, replaces a marker.
ENCODING_MARKER = "@@latin-1@@"
LATIN1_TEXT = "Hospital Ni\u00f1o Jes\u00fas".encode("latin-1")
#: Nothing references it, and every event with a procedure also has a treatment course (its
#: CTCAE grade does not depend on the procedure alone): losing it hides nothing else.
UNREADABLE_TABLE = "vte_interventions"
STRAY_TABLE = "vte_events"  # a copy of it, under another name, is left in the folder


@dataclass(frozen=True)
class Defect:
    rule: str
    table: str
    record_id: str | None
    field: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FileDefects:
    """Defects that live in the files rather than in the values."""

    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    latin1_tables: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    #: Files the manifest does not list (left over from another export): name -> table copied.
    stray_files: dict[str, str] = field(default_factory=dict)


class PatientRecords:
    """One patient's records, by table (the same dicts as the cohort's tables)."""

    def __init__(self, pid: str) -> None:
        self.pid = pid
        self.rows: dict[str, list[Rec]] = {}

    def __getitem__(self, table: str) -> list[Rec]:
        return self.rows.get(table, [])

    @property
    def patient(self) -> Rec:
        return self.rows["patients"][0]

    def courses_on(self, day: dt.date, anti_xa_monitored_only: bool = False) -> list[Rec]:
        out = []
        for c in self["anticoagulation_courses"]:
            end = c["stop_date"] or self.patient["last_contact_date"]
            if c["start_date"] <= day <= end and (
                not anti_xa_monitored_only or c["agent"] in ANTI_XA_MONITORED
            ):
                out.append(c)
        return out


@dataclass
class Context:
    cohort: Cohort
    draw: Draw
    files: FileDefects
    patients: list[PatientRecords]
    fmt: str = "csv"
    toggles: dict[str, int] = field(default_factory=dict)

    @property
    def cutoff(self) -> dt.date:
        return self.cohort.profile.cohort.data_cutoff

    def flip(self, rule: str) -> int:
        """Alternate between the variants of a defect: 0, 1, 0, ..."""
        self.toggles[rule] = self.toggles.get(rule, -1) + 1
        return self.toggles[rule] % 2


Injector = Callable[[Context, PatientRecords], Defect | None]


def defect(rule: str, table: str, record: Rec | None, fld: str | None) -> Defect:
    return Defect(rule, table, None if record is None else record[table_spec(table).id_field], fld)


def first(rows: list[Rec], test: Callable[[Rec], bool]) -> Rec | None:
    return next((r for r in rows if test(r)), None)
