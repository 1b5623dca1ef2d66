"""Reading the registry database for the report: grouped counts in SQL, and the per-patient
and per-event frames the estimators need (they never leave the report as rows).

One text per query for SQLite and PostgreSQL: the two expressions that differ (month of a
date, days between dates) are rendered by ``month_of`` and ``days_between``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, Table, and_, case, func, select

from registry.database.store import AUDIT
from registry.models import table_spec
from registry.models.base import VERSION_COLUMN

__all__ = ["RegistryData", "days_between", "month_of"]


def month_of(column: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """'YYYY-MM' of a date column."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def days_between(later: ColumnElement[Any], earlier: ColumnElement[Any], dialect: str) -> Any:
    """Days from ``earlier`` to ``later`` (dates)."""
    if dialect == "postgresql":
        return later - earlier  # date - date is an integer number of days there
    return func.julianday(later) - func.julianday(earlier)


def _t(name: str) -> Table:
    return table_spec(name).sql_table


@dataclass
class RegistryData:
    """The registry database, seen from one site (``site``) or all of them."""

    engine: Engine
    site: str | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def scoped(self, query: Select[Any], table: Table) -> Select[Any]:
        """``query`` limited to the report's site (record IDs start with the site ID)."""
        if self.site is None:
            return query
        return query.where(table.c.patient_id.like(f"{self.site}-%"))

    def frame(self, query: Select[Any]) -> pd.DataFrame:
        with self.engine.connect() as connection:
            result = connection.execute(query)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def table(self, name: str, *columns: str) -> pd.DataFrame:
        """Columns of a registry table (with the patient's site), for the report's site."""
        t, p = _t(name), _t("patients")
        cols = [t.c[c] for c in columns]
        if name == "patients":
            query = select(*cols)
        else:
            query = select(*cols, p.c.site_id).join(p, p.c.patient_id == t.c.patient_id)
        return self.frame(self.scoped(query, t))

    # --- grouped in the database -----------------------------------------------------
    def follow_up(self) -> pd.DataFrame:
        """Per site: patients and person-years from ALL diagnosis to death or last contact."""
        p = _t("patients")
        end = func.coalesce(p.c.death_date, p.c.last_contact_date)
        query = select(
            p.c.site_id,
            func.count().label("patients"),
            (func.sum(days_between(end, p.c.diagnosis_date, self.dialect)) / 365.25).label(
                "person_years"
            ),
        ).group_by(p.c.site_id)
        return self.frame(self.scoped(query, p).order_by(p.c.site_id))

    def by_month(self) -> pd.DataFrame:
        """Patients by site and month of ALL diagnosis."""
        p = _t("patients")
        month = month_of(p.c.diagnosis_date, self.dialect).label("month")
        query = select(p.c.site_id, month, func.count().label("patients")).group_by(
            p.c.site_id, month
        )
        return self.frame(self.scoped(query, p).order_by(month, p.c.site_id))

    def submissions(self) -> pd.DataFrame:
        """The audit trail of loads (one row per submission) for the report's site(s)."""
        a = AUDIT
        query = select(
            a.c.site_id,
            a.c.submission_id,
            a.c.created_at,
            a.c.loaded_at,
            a.c.data_cutoff_date,
            a.c.row_counts,
            a.c.findings,
        ).order_by(a.c.site_id, a.c.created_at)
        if self.site is not None:
            query = query.where(a.c.site_id == self.site)
        return self.frame(query)

    def filled(self, table: str, fields: list[str], only_1_1: set[str]) -> pd.DataFrame:
        """Per site: rows of ``table`` and how many have each field filled (fields added in
        1.1, ``only_1_1``, are counted over records submitted as 1.1 only)."""
        t, p = _t(table), _t("patients")
        version = t.c[VERSION_COLUMN]
        cols: list[Any] = [p.c.site_id, func.count().label("_rows")]
        cols.append(func.sum(_case(version != "1.0")).label("_rows_1_1"))
        for f in fields:
            filled: ColumnElement[bool] = t.c[f].isnot(None)
            if f in only_1_1:
                filled = and_(filled, version != "1.0")
            cols.append(func.sum(_case(filled)).label(f))
        query = select(*cols).group_by(p.c.site_id)
        if table != "patients":
            query = query.select_from(t).join(p, p.c.patient_id == t.c.patient_id)
        return self.frame(self.scoped(query, t).order_by(p.c.site_id))


def _case(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)
