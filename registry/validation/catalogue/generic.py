"""The generic checks, generated from the models' field facts (as OHDSI's Data Quality
Dashboard fills one SQL template per check type from a table of fields).

A new table, reference, date or monitored field in a model gets its checks here with no
hand-written SQL: primary keys (id-unique), references (fk-missing, fk-other-patient), the
submitting site (site-mismatch), dates against the data cutoff (after-cutoff), the ALL
diagnosis (before-diagnosis, from ``not_before_diagnosis_days``) and death (after-death),
and completeness (completeness-threshold, from ``monitor_completeness``). end-before-start
is a rule of single rows and lives with the models.
"""

from __future__ import annotations

from typing import Any

from registry.models import TABLES, TableSpec, table_spec
from registry.models.anatomy import anatomy_rules
from registry.models.base import VERSION_COLUMN
from registry.models.facts import FieldFacts
from registry.models.versions import added_after
from registry.rules import rule
from registry.validation.catalogue.check import Check
from registry.validation.staging import MANIFEST_TABLE
from registry.version import READABLE_SCHEMA_VERSIONS

__all__ = [
    "COMPLETENESS_MIN_ROWS",
    "COMPLETENESS_THRESHOLD",
    "NOT_NULL",
    "UNIQUE",
    "after_cutoff",
    "after_death",
    "after_last_contact",
    "anatomy",
    "before_birth",
    "before_diagnosis",
    "completeness",
    "date_outside_reference",
    "fk_missing",
    "fk_other_patient",
    "id_unique",
    "site_mismatch",
]

#: The Great Expectations built-ins that do the work of id-unique and completeness-threshold.
UNIQUE = "expect_column_values_to_be_unique"
NOT_NULL = "expect_column_values_to_not_be_null"
#: completeness-threshold: a monitored field missing in more than this share of rows,
#: counted from this many rows (fewer rows say little about a site's practice).
COMPLETENESS_THRESHOLD = float(rule("completeness-threshold").params["threshold"])
COMPLETENESS_MIN_ROWS = int(rule("completeness-threshold").params["min_rows"])
#: Dates of the patients table that death ends: the others (diagnosis, enrollment, death
#: itself) come before it or are it.
_PATIENT_DATES_AFTER_DEATH = ("last_contact_date",)
_PATIENTS = "patients"


def _union(branches: list[str]) -> str:
    return "\nUNION ALL\n".join(branches)


def _select(table: str, alias: str, id_field: str, field: str, value: str, message: str) -> str:
    return (
        f"SELECT\n    '{table}' AS tbl,\n    {alias}._row AS row_no,\n"
        f"    {alias}.{id_field} AS record_id,\n    {field} AS field_name,\n"
        f"    CAST({value} AS TEXT) AS value_text,\n    {message} AS message"
    )


def _references(spec: TableSpec) -> list[tuple[FieldFacts, str, str]]:
    """(field, target table, target column) of every reference of a table, patient first."""
    out = []
    for facts in spec.facts:
        if facts.foreign_key:
            table, column = facts.foreign_key.split(".")
            out.append((facts, table, column))
    return sorted(out, key=lambda ref: ref[1] != _PATIENTS)


def _dates(spec: TableSpec) -> list[str]:
    return [f.name for f in spec.facts if f.kind == "date"]


def _not_exists(condition: str, subquery_from: str, subquery_where: str) -> str:
    """``WHERE condition AND NOT EXISTS (...)``, laid out as sqlfluff lays it out."""
    return (
        f"WHERE\n    {condition} AND NOT EXISTS (\n        SELECT 1 FROM {subquery_from}\n"
        f"        WHERE {subquery_where}\n    )"
    )


def id_unique(spec: TableSpec) -> Check:
    """Each repeat of a key after its first row (GX's own uniqueness expectation in the
    published suites)."""
    t, key = spec.name, spec.id_field
    sql = "\n".join(
        [
            _select(
                t,
                "x",
                key,
                f"'{key}'",
                f"x.{key}",
                "'also used at row ' || CAST(f.first_row AS TEXT)",
            ),
            "FROM {batch} AS x",
            "INNER JOIN (",
            f"    SELECT\n        {key},\n        MIN(_row) AS first_row",
            "    FROM {batch}",
            f"    WHERE {key} IS NOT NULL",
            f"    GROUP BY {key}",
            "    HAVING COUNT(*) > 1",
            f") AS f ON x.{key} = f.{key}",
            "WHERE x._row > f.first_row",
        ]
    )
    return Check(
        "id-unique",
        t,
        f"{key} is unique within {t}",
        sql,
        {t: [key]},
        source="generic.id_unique",
        builtin=(UNIQUE, {"column": key}),
        needs=(),
    )


def fk_missing() -> Check:
    branches: list[str] = []
    columns: dict[str, list[str]] = {_PATIENTS: []}
    refs = [(spec, *ref) for spec in TABLES for ref in _references(spec)]
    refs.sort(key=lambda r: r[2] != _PATIENTS)  # every patient reference first
    for spec, facts, target, column in refs:
        f = facts.name
        if target == _PATIENTS:
            source, message = "(SELECT * FROM {batch}) AS p", f"'no patient ' || c.{f}"
            where = f"p.{column} = c.{f}"
        else:
            source, message = f"{target} AS x", f"'no {target} record ' || c.{f}"
            where = f"x.{column} = c.{f}"
        branches.append(
            "\n".join(
                [
                    _select(spec.name, "c", spec.id_field, f"'{f}'", f"c.{f}", message),
                    f"FROM {spec.name} AS c",
                    _not_exists(f"c.{f} IS NOT NULL", source, where),
                ]
            )
        )
        columns.setdefault(spec.name, []).append(f)
    return Check(
        "fk-missing",
        "cross_table_references",
        "a reference names a record that does not exist",
        _union(branches),
        columns,
        source="generic.fk_missing",
        needs=tuple(sorted({target for _, _, target, _ in refs})),  # the referenced tables
    )


def fk_other_patient() -> Check:
    branches, columns = [], {_PATIENTS: ["patient_id"]}
    for spec in TABLES:
        for facts, target, column in _references(spec):
            if target == _PATIENTS:
                continue
            f = facts.name
            message = f"'{f} ' || c.{f} || ' belongs to patient ' || x.patient_id"
            branches.append(
                "\n".join(
                    [
                        _select(spec.name, "c", spec.id_field, f"'{f}'", f"c.{f}", message),
                        f"FROM {spec.name} AS c",
                        f"INNER JOIN {target} AS x ON c.{f} = x.{column}",
                        "INNER JOIN {batch} AS p ON c.patient_id = p.patient_id",
                        "WHERE x.patient_id <> c.patient_id",
                    ]
                )
            )
            columns.setdefault(spec.name, []).extend([f, "patient_id"])
    return Check(
        "fk-other-patient",
        "cross_table_references",
        "a referenced record belongs to another patient",
        _union(branches),
        columns,
        source="generic.fk_other_patient",
        needs=(),  # joins: an empty table finds nothing
    )


def site_mismatch() -> Check:
    manifest = f"{MANIFEST_TABLE} AS m"
    branches = [
        "\n".join(
            [
                _select(
                    _PATIENTS,
                    "p",
                    "patient_id",
                    "'site_id'",
                    "p.site_id",
                    "'site ' || p.site_id || ' is not the site of the manifest'",
                ),
                "FROM (SELECT * FROM {batch}) AS p",
                _not_exists("p._valid = TRUE", manifest, "m.site_id = p.site_id"),
            ]
        )
    ]
    for spec in TABLES:
        source = "(SELECT * FROM {batch})" if spec.name == _PATIENTS else spec.name
        branches.append(
            "\n".join(
                [
                    _select(
                        spec.name,
                        "c",
                        spec.id_field,
                        "'patient_id'",
                        "c.patient_id",
                        "'an ID of another site than the manifest'",
                    ),
                    f"FROM {source} AS c",
                    _not_exists(
                        "c.patient_id IS NOT NULL", manifest, "c.patient_id LIKE m.site_id || '-%'"
                    ),
                ]
            )
        )
    columns = {spec.name: ["patient_id"] for spec in TABLES}
    columns[_PATIENTS] = ["patient_id", "site_id"]
    return Check(
        "site-mismatch",
        "cross_table_references",
        "a record of another site than the manifest's",
        _union(branches),
        columns,
        source="generic.site_mismatch",
        needs=(),
    )


def _first_late(dates: list[str], alias: str, limit: str) -> tuple[str, str, str]:
    """field_name, value and condition of the first of ``dates`` later than ``limit``."""
    if len(dates) == 1:
        d = dates[0]
        return f"'{d}'", f"{alias}.{d}", f"{alias}.{d} > {limit}"
    whens = [f"{alias}.{d} > {limit}" for d in dates]
    name = "CASE " + " ".join(f"WHEN {w} THEN '{d}'" for w, d in zip(whens, dates, strict=True))
    value = "CASE " + " ".join(
        f"WHEN {w} THEN {alias}.{d}" for w, d in zip(whens, dates, strict=True)
    )
    return name + " END", value + " END", "(" + " OR ".join(whens) + ")"


def after_cutoff() -> Check:
    branches, columns = [], {}
    for spec in TABLES:
        dates = _dates(spec)
        name, value, late = _first_late(dates, "x", "m.data_cutoff_date")
        source = "{batch}" if spec.name == _PATIENTS else spec.name
        branches.append(
            _select(
                spec.name,
                "x",
                spec.id_field,
                name,
                value,
                "'after the data cutoff ' || CAST(m.data_cutoff_date AS TEXT)",
            )
            + f"\nFROM {source} AS x\n"
            + f"INNER JOIN {MANIFEST_TABLE} AS m ON x.patient_id LIKE m.site_id || '-%'\n"
            + f"WHERE x._valid = TRUE AND {late}"
        )
        columns[spec.name] = dates
    return Check(
        "after-cutoff",
        "cross_table_temporal",
        "a date after the manifest's data_cutoff_date",
        _union(branches),
        columns,
        source="generic.after_cutoff",
        needs=(),
    )


def before_diagnosis() -> Check:
    branches, columns, limits = [], {_PATIENTS: ["diagnosis_date"]}, []
    for spec in TABLES:
        for facts in spec.facts:
            days = facts.not_before_diagnosis_days
            if days is None:
                continue
            f = facts.name
            branches.append(
                _select(
                    spec.name,
                    "x",
                    spec.id_field,
                    f"'{f}'",
                    f"x.{f}",
                    f"'more than {days} days before the ALL diagnosis ' || "
                    "CAST(p.diagnosis_date AS TEXT)",
                )
                + f"\nFROM {spec.name} AS x\n"
                + "INNER JOIN {batch} AS p ON x.patient_id = p.patient_id AND p._valid = TRUE\n"
                + f"WHERE x._valid = TRUE AND DAYS(x.{f}) < DAYS(p.diagnosis_date) - {days}"
            )
            columns.setdefault(spec.name, []).append(f)
            limits.append(f"{spec.name}.{f} {days} days")
    return Check(
        "before-diagnosis",
        "cross_table_temporal",
        f"a date earlier than allowed relative to the ALL diagnosis ({', '.join(limits)})",
        _union(branches),
        columns,
        source="generic.before_diagnosis",
        needs=(),
    )


def after_death() -> Check:
    branches, columns = [], {_PATIENTS: ["death_date"]}
    ordered = [s for s in TABLES if s.name != _PATIENTS] + [
        s for s in TABLES if s.name == _PATIENTS
    ]
    for spec in ordered:
        dates = _dates(spec) if spec.name != _PATIENTS else list(_PATIENT_DATES_AFTER_DEATH)
        for f in dates:
            branches.append(
                _select(
                    spec.name,
                    "x",
                    spec.id_field,
                    f"'{f}'",
                    f"x.{f}",
                    "'after death on ' || CAST(p.death_date AS TEXT)",
                )
                + "\nFROM {batch} AS p\n"
                + f"CROSS JOIN {spec.name} AS x\n"
                + "WHERE x.patient_id = p.patient_id AND p._valid = TRUE "
                + f"AND p.death_date IS NOT NULL AND x._valid = TRUE AND x.{f} > p.death_date"
            )
            columns.setdefault(spec.name, []).append(f)
    return Check(
        "after-death",
        "cross_table_temporal",
        "an event, dose, lab, assessment or other date after the patient's death",
        _union(branches),
        columns,
        source="generic.after_death",
        needs=(),
    )


def date_outside_reference() -> Check:
    """Every date a field declares bounded by a date of the record it references
    (``Bound``: an assessment not before its event, an adjustment within its course, ...):
    a table that states such a bound gets its check with no new SQL."""
    branches: list[str] = []
    columns: dict[str, list[str]] = {_PATIENTS: []}
    for spec in TABLES:
        refs = {facts.name: facts.foreign_key for facts in spec.facts if facts.foreign_key}
        for facts in spec.facts:
            for bound in facts.bounds:
                f = facts.name
                target, key = (refs[bound.reference] or "").split(".")
                limit = f"DAYS(t.{bound.date})" + (f" + ({bound.days})" if bound.days else "")
                compare = ">" if bound.not_after else "<"
                message = (
                    f"'{f} ' || CAST(x.{f} AS TEXT) || ' is "
                    f"{'after' if bound.not_after else 'before'} {target}.{bound.date} ' || "
                    f"CAST(t.{bound.date} AS TEXT) || ' of ' || x.{bound.reference}"
                    + (
                        f" || ' ({bound.days:+d} day{'s' if abs(bound.days) > 1 else ''})'"
                        if bound.days
                        else ""
                    )
                )
                branches.append(
                    _select(spec.name, "x", spec.id_field, f"'{f}'", f"x.{f}", message)
                    + f"\nFROM {spec.name} AS x\n"
                    + f"INNER JOIN {target} AS t ON x.{bound.reference} = t.{key}"
                    + " AND t._valid = TRUE\n"
                    + "INNER JOIN {batch} AS p ON x.patient_id = p.patient_id\n"
                    + f"WHERE x._valid = TRUE AND t.{bound.date} IS NOT NULL "
                    + f"AND DAYS(x.{f}) {compare} {limit}"
                )
                columns.setdefault(spec.name, []).extend([f, bound.reference])
                columns.setdefault(target, []).append(bound.date)
    return Check(
        "date-outside-reference",
        "cross_table_temporal",
        "a date outside the bound its referenced record sets",
        _union(branches),
        {t: sorted(set(c)) for t, c in columns.items()},
        source="generic.date_outside_reference",
        needs=(),  # joins: a table not read finds nothing
    )


def _against_patient(spec: TableSpec, f: str, message: str, condition: str) -> str:
    """A branch of a check of the date ``f`` of ``spec``'s records (``x``) against their
    patient's record (``p``, the patients suite's batch)."""
    return (
        _select(spec.name, "x", spec.id_field, f"'{f}'", f"x.{f}", message)
        + f"\nFROM {spec.name} AS x\n"
        + "INNER JOIN {batch} AS p ON x.patient_id = p.patient_id AND p._valid = TRUE\n"
        + f"WHERE x._valid = TRUE AND {condition}"
    )


def before_birth() -> Check:
    """Every date of every table against the month of birth, taken as the month of ALL
    diagnosis minus age_at_diagnosis_months (the registry keeps no birth date), less the
    rule's slack (spec: "Plausibility rules", before-birth)."""
    slack = int(rule("before-birth").params["slack_months"])
    birth = f"MONTHS(p.diagnosis_date) - p.age_at_diagnosis_months - {slack}"
    branches, columns = [], {_PATIENTS: ["diagnosis_date", "age_at_diagnosis_months"]}
    for spec in TABLES:
        for f in _dates(spec):
            if spec.name == _PATIENTS and f == "diagnosis_date":
                continue  # the month of birth is counted from it
            message = (
                f"'{f} ' || CAST(x.{f} AS TEXT) || ' is before the month of birth "
                "(ALL diagnosis ' || CAST(p.diagnosis_date AS TEXT) || ' at ' || "
                "CAST(p.age_at_diagnosis_months AS TEXT) || ' months)'"
            )
            branches.append(_against_patient(spec, f, message, f"MONTHS(x.{f}) < {birth}"))
            columns.setdefault(spec.name, []).append(f)
    return Check(
        "before-birth",
        "cross_table_temporal",
        f"a date before the month of birth (less {slack} month of slack)",
        _union(branches),
        columns,
        {"slack_months": slack},
        source="generic.before_birth",
        needs=(),
    )


def after_last_contact() -> Check:
    """The date of every dated record (fields declared ``record_date``) against the
    patient's last contact; death_date is exempt (a death can be learned of later)."""
    branches, columns = [], {_PATIENTS: ["last_contact_date"]}
    for spec in TABLES:
        for facts in spec.facts:
            if not facts.record_date:
                continue
            f = facts.name
            message = "'after the last contact on ' || CAST(p.last_contact_date AS TEXT)"
            branches.append(_against_patient(spec, f, message, f"x.{f} > p.last_contact_date"))
            columns.setdefault(spec.name, []).append(f)
    return Check(
        "after-last-contact",
        "cross_table_temporal",
        "a dated record after the patient's last contact",
        _union(branches),
        columns,
        source="generic.after_last_contact",
        needs=(),
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def anatomy() -> list[Check]:
    """The anatomy rules on a field of a referenced record (``data/anatomy.toml``: a
    catheter-related event against its catheter's vein, an IVC filter against its event's
    site, a bleed against the patient's sex); the rules on one record are row rules."""
    out = []
    for entry in anatomy_rules():
        if entry.same_record:
            continue
        spec = table_spec(entry.table)
        target, column = entry.other.split(".")
        key = next(f for f in spec.facts if f.name == entry.via).foreign_key or ""
        target_key = key.split(".")[1]
        f = entry.field
        pairs = [
            f"(x.{f} = '{a}'" + ("" if b == "*" else f" AND o.{column} = '{b}'") + ")"
            for a, b in entry.cannot
        ]
        pairs += [
            f"(x.{f} = '{a}' AND o.{column} NOT IN ({', '.join(repr(v) for v in allowed)}))"
            for a, allowed in entry.only
        ]
        joins = (
            "INNER JOIN {batch} AS o ON x.patient_id = o.patient_id AND o._valid = TRUE"
            if target == _PATIENTS
            else f"INNER JOIN {target} AS o ON x.{entry.via} = o.{target_key} AND o._valid = TRUE\n"
            + "INNER JOIN {batch} AS p ON x.patient_id = p.patient_id"
        )
        when = f" AND x.{entry.when} = TRUE" if entry.when else ""
        message = f"'{f} ' || x.{f} || ' with {target} {column} ' || o.{column} || " + _literal(
            f": {entry.why}"
        )
        sql = (
            _select(entry.table, "x", spec.id_field, f"'{f}'", f"x.{f}", message)
            + f"\nFROM {entry.table} AS x\n{joins}\n"
            + f"WHERE x._valid = TRUE{when} AND o.{column} IS NOT NULL AND (\n    "
            + "\n    OR ".join(pairs)
            + "\n)"
        )
        columns = {entry.table: sorted({f, entry.via or f, *([entry.when] if entry.when else [])})}
        columns.setdefault(target, []).append(column)
        out.append(
            Check(
                entry.rule,
                "cross_table_clinical",
                f"{entry.field} against {entry.other}: {entry.why} ({entry.source})",
                sql,
                columns,
                source="generic.anatomy",
                needs=(),
            )
        )
    return out


def _comparison(column: str, operator: str, parameter: Any) -> dict[str, Any]:
    """A GX row condition, as JSON."""
    return {
        "column": {"name": column},
        "operator": operator,
        "parameter": parameter,
        "type": "comparison",
    }


def completeness(spec: TableSpec) -> list[Check]:
    """Per monitored field: how many conformant rows (of the schema versions that collect
    it) leave it empty. ``rule_rows.share_finding`` reports it from ``min_rows`` rows on; the
    published suites use GX's own not-null expectation with ``mostly``."""
    out = []
    threshold, min_rows = COMPLETENESS_THRESHOLD, COMPLETENESS_MIN_ROWS
    for facts in spec.facts:
        if not facts.completeness_monitored:
            continue
        f, t = facts.name, spec.name
        # records of earlier versions did not collect a field added since
        earlier = [
            v
            for v in READABLE_SCHEMA_VERSIONS
            if facts.since is not None and added_after(facts.since, v)
        ]
        conditions = [_comparison("_valid", "==", True)]
        conditions += [_comparison(VERSION_COLUMN, "!=", v) for v in earlier]
        condition = (
            conditions[0] if len(conditions) == 1 else {"type": "and", "conditions": conditions}
        )
        where = ["_valid = TRUE", *(f"{VERSION_COLUMN} != '{v}'" for v in earlier)]
        sql = "\n".join(
            [
                "SELECT",
                f"    '{t}' AS tbl,",
                f"    '{f}' AS field_name,",
                "    COUNT(*) AS total,",
                f"    COUNT(*) - COUNT({f}) AS missing",
                "FROM {batch}",
                "WHERE " + " AND ".join(where),
            ]
        )
        out.append(
            Check(
                "completeness-threshold",
                t,
                f"{f} is given in at least {1 - threshold:.0%} of the rows of {t} "
                f"(checked from {min_rows} rows)",
                sql,
                {t: [f]},
                {"threshold": threshold, "min_rows": min_rows},
                source="generic.completeness",
                builtin=(
                    NOT_NULL,
                    {"column": f, "mostly": round(1 - threshold, 10), "row_condition": condition},
                ),
                shape="share",
                needs=(),
            )
        )
    return out
