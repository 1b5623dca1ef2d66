"""``build_center_report``: every section from the registry database, suppressed once."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from registry.database.store import DatabaseUnusable, make_engine, require_current, safe_url
from registry.report.context import Context
from registry.report.data import RegistryData
from registry.report.enrollment import enrollment
from registry.report.figures import CenterReport
from registry.report.management import management
from registry.report.outcomes import outcomes
from registry.report.patients import patients
from registry.report.privacy import DEFAULT_MIN_CELL, audit, suppress
from registry.report.quality import quality
from registry.report.survey_side import read_summary
from registry.report.vte import vte

__all__ = ["ReportRefused", "build_center_report"]

SECTIONS = (enrollment, patients, vte, management, outcomes, quality)


class ReportRefused(Exception):
    """The report cannot be made as asked (the message says why, in one line)."""


def build_center_report(
    url: str | None = None,
    site: str | None = None,
    survey: Path | str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> CenterReport:
    """The coordinating center's report on the registry at ``url`` (all sites, or ``site``),
    with the survey summary at ``survey`` beside the management figures."""
    started = time.perf_counter()
    if min_cell < 1:
        raise ReportRefused(f"the small-cell threshold must be 1 or more, not {min_cell}")
    summary = read_summary(Path(survey)) if survey is not None else None
    engine = make_engine(url)
    try:
        require_current(engine)
        data = RegistryData(engine, site)
        ctx = Context(data, min_cell, summary)
        if ctx.patients.empty:
            if site is not None:
                known = RegistryData(engine).follow_up()["site_id"].tolist()
                raise ReportRefused(
                    f"site {site!r} has no patients in {safe_url(str(engine.url))}"
                    + (f"; sites: {', '.join(known)}" if known else "")
                )
            raise ReportRefused(
                f"{safe_url(str(engine.url))} holds no patients yet: load a submission first"
            )
        sections = [make(ctx) for make in SECTIONS]
        source = safe_url(engine.url.render_as_string(hide_password=False))
    except DatabaseUnusable as exc:
        raise ReportRefused(str(exc)) from None
    finally:
        engine.dispose()
    tables = [table for section in sections for table in section.tables]
    for table in tables:
        suppress(table, min_cell, everywhere=ctx.one_site)
    withheld = audit(tables, min_cell)  # what the tables, taken together, would give back
    from registry.version import __version__

    return CenterReport(
        source=source,
        site=site,
        generated_at=dt.datetime.now(dt.UTC),
        package_version=__version__,
        min_cell=min_cell,
        sections=sections,
        survey_source=str(survey) if survey is not None else None,
        withheld=[str(w) for w in withheld],
        seconds=round(time.perf_counter() - started, 2),
    )
