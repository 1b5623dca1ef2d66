"""The clinical checks: one readable ``.sql`` file each in ``sql/``.

A file starts with its declaration as TOML in ``--`` comments (rule, suite, description,
columns read), then the query: a Jinja template that takes the rule's thresholds (``params``
of its rule in ``registry/rules.py``, where its title reads them too), so that a threshold is
written once, and the code sets the models declare
(``anti_xa_monitored``, ``suitable_imaging``, ...), so that a code list is written once too.
The query returns the offending rows as ``tbl, row_no, record_id, field_name, value_text,
message``; ``{batch}`` is the suite's table and ``DAYS(x)`` a date as a day number (rendered
per SQL dialect at run time, ``rule_rows.render``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, meta

from registry.rules import rule as lookup_rule
from registry.validation.catalogue.check import Check

__all__ = ["SQL_DIR", "clinical_checks", "read_check"]

SQL_DIR = Path(__file__).with_name("sql")


def _sql_list(values: Iterable[object]) -> str:
    """``('a', 'b')``: codes as an SQL list."""
    return "(" + ", ".join(f"'{getattr(v, 'value', v)}'" for v in values) + ")"


def _model_facts() -> dict[str, object]:
    """Code sets of the models that the queries use, in code-list order."""
    from registry.models import vte_events as events
    from registry.models.anticoagulation_courses import ANTI_XA_MONITORED
    from registry.models.codes import AnticoagulantAgent, Imaging, InsertionVein, VteSite

    def ordered(codes: type[Enum], members: frozenset[Any]) -> list[object]:
        return [c for c in codes if c in members]

    return {
        "anti_xa_monitored": ordered(AnticoagulantAgent, ANTI_XA_MONITORED),
        "ctcae_grade_3_sites": ordered(VteSite, events.CTCAE_GRADE_3_SITES),
        "urgent_interventions": sorted(events.URGENT_INTERVENTIONS),
        "upper_body_veins": ordered(InsertionVein, events.UPPER_BODY_VEINS),
        "lower_body_veins": ordered(InsertionVein, events.LOWER_BODY_VEINS),
        "not_from_upper": ordered(VteSite, events.SITES_A_CATHETER_CANNOT_CAUSE["upper"]),
        "not_from_lower": ordered(VteSite, events.SITES_A_CATHETER_CANNOT_CAUSE["lower"]),
        # sites that not every modality confirms -> the modalities that do
        "suitable_imaging": {
            site.value: [i for i in Imaging if i in suitable]
            for site, suitable in events.SUITABLE_IMAGING.items()
            if set(suitable) != set(Imaging)
        },
    }


_JINJA = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)
_JINJA.filters["sql_list"] = _sql_list


def read_check(path: Path) -> Check:
    """The check declared and written in one ``.sql`` file."""
    header, body = [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("--"):
            body = lines[number:]
            break
        header.append(line.removeprefix("--").removeprefix(" "))
    try:
        declared = tomllib.loads("\n".join(header))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: the header is not TOML: {exc}") from None
    if "params" in declared:
        raise ValueError(f"{path.name}: thresholds belong to the rule (registry/rules.py)")
    description, query = declared["description"], "\n".join(body).strip()
    # the thresholds of the rule that this check uses (a rule may have several checks)
    used = meta.find_undeclared_variables(_JINJA.parse(description + "\n" + query))
    params = {k: v for k, v in lookup_rule(declared["rule"]).params.items() if k in used}
    context = {**_model_facts(), **params}
    return Check(
        rule=declared["rule"],
        suite=declared["suite"],
        description=_JINJA.from_string(description).render(**context),
        sql=_JINJA.from_string(query).render(**context),
        columns={table: list(columns) for table, columns in declared["columns"].items()},
        params=params,
        derived=list(declared.get("derived", [])),
        source=path.name,
    )


@cache
def clinical_checks() -> tuple[Check, ...]:
    """Every ``.sql`` check, in file-name order."""
    return tuple(read_check(path) for path in sorted(SQL_DIR.glob("*.sql")))
