"""Defects of single values, one rule of record conformance each (missing, unexpected,
mistyped, out of range, invalid code, wrong layout, another encoding)."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.defect_context import (
    ENCODING_MARKER,
    Context,
    Defect,
    Injector,
    PatientRecords,
    defect,
    first,
)


# --- generic per-field defects ---------------------------------------------------------------
def _missing_value(ctx: Context, p: PatientRecords) -> Defect | None:
    choices = [
        ("patients", "cns_status"),
        ("catheters", "side"),
        ("asparaginase_doses", "route"),
        ("lab_results", "unit"),
    ]
    table, fld = choices[ctx.flip("missing-value") % 2 * 2 + ctx.draw.integer(0, 1)]
    row = first(p[table], lambda r: True)
    if row is None:
        return None
    row[fld] = None
    return defect("missing-value", table, row, fld)


def _unexpected_value(ctx: Context, p: PatientRecords) -> Defect | None:
    if ctx.flip("unexpected-value") == 0 and p.patient["vital_status"] == "alive":
        p.patient["cause_of_death"] = "other"
        return defect("unexpected-value", "patients", p.patient, "cause_of_death")
    cat = first(p["catheters"], lambda r: r["removal_date"] is None)
    if cat is None:
        return None
    cat["removal_reason"] = "other"
    return defect("unexpected-value", "catheters", cat, "removal_reason")


def _type_error(ctx: Context, p: PatientRecords) -> Defect | None:
    if ctx.flip("type-error") == 0:
        p.patient["weight_kg_at_diagnosis"] = f"{p.patient['weight_kg_at_diagnosis']} kg"
        return defect("type-error", "patients", p.patient, "weight_kg_at_diagnosis")
    lab = first(p["lab_results"], lambda r: True)
    if lab is None:
        return None
    lab["value"] = "pending"
    return defect("type-error", "lab_results", lab, "value")


def _out_of_range(ctx: Context, p: PatientRecords) -> Defect | None:
    if ctx.flip("out-of-range") == 0:
        p.patient["height_cm_at_diagnosis"] = 310.0
        return defect("out-of-range", "patients", p.patient, "height_cm_at_diagnosis")
    cat = first(p["catheters"], lambda r: True)
    if cat is None:
        return None
    cat["lumens"] = 5
    return defect("out-of-range", "catheters", cat, "lumens")


def _invalid_code(ctx: Context, p: PatientRecords) -> Defect | None:
    if ctx.flip("invalid-code") == 0:
        p.patient["sex"] = {"female": "F", "male": "M"}.get(p.patient["sex"], "U")
        return defect("invalid-code", "patients", p.patient, "sex")
    event = first(p["vte_events"], lambda r: True)
    if event is None:
        return None
    event["site"] = "dvt"
    return defect("invalid-code", "vte_events", event, "site")


def _pattern_mismatch(ctx: Context, p: PatientRecords) -> Defect | None:
    lab = first(p["lab_results"], lambda r: isinstance(r["date"], dt.date))
    if lab is None:
        return None
    lab["date"] = lab["date"].strftime("%m/%d/%Y")
    return defect("pattern-mismatch", "lab_results", lab, "date")


def _encoding_error(ctx: Context, p: PatientRecords) -> Defect | None:
    if ctx.fmt == "parquet":
        return None  # a typed binary file has no text encoding to get wrong
    p.patient["protocol_name"] = ENCODING_MARKER
    ctx.files.latin1_tables.add("patients")
    return defect("encoding-error", "patients", p.patient, "protocol_name")


FIELD_DEFECTS: dict[str, Injector] = {
    "missing-value": _missing_value,
    "unexpected-value": _unexpected_value,
    "type-error": _type_error,
    "out-of-range": _out_of_range,
    "invalid-code": _invalid_code,
    "pattern-mismatch": _pattern_mismatch,
    "encoding-error": _encoding_error,
}
