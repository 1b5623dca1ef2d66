"""Known defects, injected on request, so that the validator's recall can be measured.

``inject(cohort, rate)`` corrupts about ``rate`` of all records, one defect per patient at
most (defects on one patient could mask each other), covering every rule ID of the spec
before repeating any, and returns the ground truth ``[{rule, table, record_id, field}]``
that ``synth`` writes to ``defects.json``. File-level defects (unknown or missing column,
a row in another encoding, an unreadable file) and table-level ones (completeness,
incidence) have ``record_id`` null.
"""

from __future__ import annotations

from registry.synthetic.cohort import Cohort
from registry.synthetic.defect_context import (
    ENCODING_MARKER,
    LATIN1_TEXT,
    UNREADABLE_TABLE,
    Context,
    Defect,
    FileDefects,
    Injector,
    PatientRecords,
)
from registry.synthetic.defects_clinical import CLINICAL_DEFECTS
from registry.synthetic.defects_fields import FIELD_DEFECTS
from registry.synthetic.defects_files import FILE_DEFECTS
from registry.synthetic.defects_plausibility import PLAUSIBILITY_DEFECTS
from registry.synthetic.defects_rules import RULE_DEFECTS
from registry.synthetic.draw import Draw

__all__ = [
    "DEFECT_RULES",
    "ENCODING_MARKER",
    "LATIN1_TEXT",
    "Defect",
    "FileDefects",
    "inject",
]

PATIENT_DEFECTS: dict[str, Injector] = {
    **FIELD_DEFECTS,
    **RULE_DEFECTS,
    **CLINICAL_DEFECTS,
    **PLAUSIBILITY_DEFECTS,
}
TABLE_DEFECTS = FILE_DEFECTS
DEFECT_RULES: tuple[str, ...] = (*TABLE_DEFECTS, *PATIENT_DEFECTS)


def inject(cohort: Cohort, rate: float, fmt: str = "csv") -> tuple[list[Defect], FileDefects]:
    """Corrupt about ``rate`` of the cohort's records in place; return the ground truth."""
    if not 0 <= rate <= 1:
        raise ValueError("the defect rate is a share between 0 and 1")
    total = sum(len(rows) for rows in cohort.tables.values())
    wanted = round(rate * total)
    if wanted == 0:
        return [], FileDefects()
    by_pid: dict[str, PatientRecords] = {}
    for table, rows in cohort.tables.items():
        if table == UNREADABLE_TABLE:
            continue  # this file may be made unreadable: its records would hide defects
        for row in rows:
            by_pid.setdefault(row["patient_id"], PatientRecords(row["patient_id"])).rows.setdefault(
                table, []
            ).append(row)
    for p in by_pid.values():
        p.rows.setdefault("patients", [])
    draw = Draw(cohort.seed * 7919 + 17)
    ctx = Context(
        cohort=cohort, draw=draw, files=FileDefects(), patients=list(by_pid.values()), fmt=fmt
    )
    order = list(by_pid)
    for i in range(len(order) - 1, 0, -1):  # seeded Fisher-Yates: which patients are hit
        j = draw.integer(0, i)
        order[i], order[j] = order[j], order[i]

    defects: list[Defect] = []
    for make in TABLE_DEFECTS.values():
        if len(defects) >= wanted:
            break
        if (found := make(ctx)) is not None:
            defects.append(found)
    rules = list(PATIENT_DEFECTS)
    pool = list(rules)  # rules that still find patients they apply to
    available, pos, turn = order, 0, 0
    while len(defects) < wanted and available and pool:
        # Every rule once first, then rules at random.
        rule = rules[turn] if turn < len(rules) else draw.choice(pool)
        turn += 1
        made = None
        for step in range(min(300, len(available))):  # a patient this defect applies to
            k = (pos + step) % len(available)
            made = PATIENT_DEFECTS[rule](ctx, by_pid[available[k]])
            if made is not None:
                available.pop(k)
                pos = k
                break
        if made is None:
            if rule in pool:
                pool.remove(rule)
            continue
        defects.append(made)
    return defects, ctx.files
