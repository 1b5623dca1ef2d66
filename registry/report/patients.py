"""Patients: the "Table 1" of characteristics at ALL diagnosis, overall and by site
(tableone), with catheter types as the share of patients who had each."""

from __future__ import annotations

import warnings

import pandas as pd

from registry.models.codes import (
    CatheterType,
    CodeList,
    Immunophenotype,
    NciRiskGroup,
    Protocol,
    Sex,
)
from registry.report.context import Context
from registry.report.figures import Cell, Section, Table

__all__ = ["patients"]

_NOT_APPLICABLE = "not applicable"


def _labelled(values: pd.Series, codes: type[CodeList]) -> pd.Series:
    labels = {m.value: m.label for m in codes}
    return values.map(lambda v: labels.get(v, _NOT_APPLICABLE if v is None else str(v)))


def _order(codes: type[CodeList], *extra: str) -> list[str]:
    return [m.label for m in codes] + list(extra)


def patients(ctx: Context) -> Section:
    from tableone import TableOne

    p = ctx.patients
    catheters = ctx.frame("catheters", "patient_id", "catheter_type")
    yes_no = {True: "Yes", False: "No"}
    frame = pd.DataFrame(
        {
            "Site": p["site_id"],
            "Age group": p["age_group"],
            "Sex": _labelled(p["sex"], Sex),
            "Immunophenotype": _labelled(p["immunophenotype"], Immunophenotype),
            "NCI risk group": _labelled(p["nci_risk_group"], NciRiskGroup),
            "Mediastinal mass": p["mediastinal_mass"].astype(bool).map(yes_no),
            "Down syndrome": p["down_syndrome"].astype(bool).map(yes_no),
            "Protocol": _labelled(p["protocol"], Protocol),
        }
    )
    kinds = []
    for kind in CatheterType:
        had = set(catheters.loc[catheters["catheter_type"] == kind.value, "patient_id"])
        name = f"Catheter: {kind.label}"
        frame[name] = p["patient_id"].isin(had).map(yes_no)
        kinds.append(name)
    variables = [c for c in frame.columns if c != "Site"]
    order = {
        "Age group": ["< 1 year", "1-9 years", ">= 10 years"],
        "Sex": _order(Sex),
        "Immunophenotype": _order(Immunophenotype),
        "NCI risk group": _order(NciRiskGroup, _NOT_APPLICABLE),
        "Protocol": _order(Protocol),
        **{v: ["Yes", "No"] for v in ("Mediastinal mass", "Down syndrome", *kinds)},
    }
    several = frame["Site"].nunique() > 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tableone's notes on order and normality
        one = TableOne(
            frame,
            columns=variables,
            categorical=variables,
            groupby="Site" if several else None,
            pval=False,
            missing=False,
            order=order,
            overall=True,
        )
    t1 = one.tableone
    t1.columns = [c[-1] if isinstance(c, tuple) else c for c in t1.columns]
    rows: list[list[Cell]] = []
    groups: dict[str, list[int]] = {}
    members: dict[tuple[int, str], frozenset[str]] = {}
    ids = "patient:" + p["patient_id"].astype(str)
    in_column = {
        str(c): (frame["Site"] == c) if c != "Overall" else frame["Site"].notna()
        for c in t1.columns
    }
    for (variable, level), values in t1.iterrows():
        var = max((v for v in variables if variable.startswith(v)), key=len, default=None)
        label = "Patients, n" if variable == "n" else f"{var}: {level}"
        # Only the "Yes" level of yes/no variables: the "No" row is its complement.
        if level == "No":
            continue
        if variable != "n" and not variable.startswith("Catheter"):
            groups.setdefault(variable, []).append(len(rows))  # levels add up to n
        has = frame[var] == level if var is not None else frame["Site"].notna()
        for column, where in in_column.items():
            members[(len(rows), column)] = frozenset(ids[has & where])
        rows.append([label, *(str(v) for v in values.tolist())])
    columns = ["Characteristic", *(str(c) for c in t1.columns)]
    table = Table(
        "table1",
        "Table 1: characteristics at ALL diagnosis, n (%)",
        columns,
        rows,
        note="Percent of the column's patients; catheter rows: patients with at least one "
        "catheter of the type. NCI risk group applies to B-ALL at 1 year or older. "
        "Computed with tableone.",
        counts=tuple(columns[1:]),
        per_site=True,
        total_column="Overall" if several else None,
        row_groups=[tuple(g) for g in groups.values() if len(g) > 1],
        members=members,
    )
    return Section("patients", "Patients", [table])
