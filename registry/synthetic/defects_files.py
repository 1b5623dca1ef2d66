"""Defects of whole files and tables: unknown and missing columns, an unreadable file, a
file the manifest does not list, completeness and incidence."""

from __future__ import annotations

from collections.abc import Callable

from registry.synthetic.defect_context import (
    STRAY_TABLE,
    UNREADABLE_TABLE,
    Context,
    Defect,
)


# --- file and table level --------------------------------------------------------------------
def _unknown_column(ctx: Context) -> Defect:
    ctx.files.extra_columns.setdefault("catheters", []).append("comments")
    return Defect("unknown-column", "catheters", None, "comments")


def _missing_column(ctx: Context) -> Defect:
    ctx.files.dropped_columns.setdefault("patients", []).append("off_study_reason")
    return Defect("missing-column", "patients", None, "off_study_reason")


def _unreadable(ctx: Context) -> Defect:
    ctx.files.unreadable.add(UNREADABLE_TABLE)
    return Defect("unreadable-file", UNREADABLE_TABLE, None, None)


def _stray_file(ctx: Context) -> Defect:
    name = f"{STRAY_TABLE}_old.{ctx.fmt}"
    ctx.files.stray_files[name] = STRAY_TABLE
    return Defect("manifest-mismatch", "manifest", None, name)


def _completeness(ctx: Context) -> Defect | None:
    rows = ctx.cohort.tables["patients"]
    if len(rows) < 20:
        return None
    for i, row in enumerate(rows):
        if i % 3 == 0:  # a third of rows: well past the 20% threshold
            row["protocol_name"] = None
    return Defect("completeness-threshold", "patients", None, "protocol_name")


def _incidence(ctx: Context) -> Defect | None:
    followed = [
        p
        for p in ctx.patients
        if (p.patient["last_contact_date"] - p.patient["diagnosis_date"]).days >= 182
    ]
    events = ctx.cohort.tables["vte_events"]
    if len(followed) < 100 or not events:
        return None
    treated = {
        c["event_id"]
        for c in ctx.cohort.tables["anticoagulation_courses"]
        if c["intent"] == "treatment"
    }
    for event in events:  # nothing symptomatic any more: an implausibly low incidence
        if event["detection"] == "symptomatic":
            event["detection"] = "incidental"
            event["ptwg_qualifying"] = event["event_id"] in treated
    return Defect("incidence-implausible", "vte_events", None, "detection")


FILE_DEFECTS: dict[str, Callable[[Context], Defect | None]] = {
    "incidence-implausible": _incidence,
    "completeness-threshold": _completeness,
    "unknown-column": _unknown_column,
    "missing-column": _missing_column,
    "unreadable-file": _unreadable,
    "manifest-mismatch": _stray_file,
}
