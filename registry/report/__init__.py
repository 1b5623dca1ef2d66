"""The coordinating center's report: what the pooled registry shows about VTE in children
with ALL and its management, site by site, beside what providers reported in the survey.

Computed from the registry database (SQLite or PostgreSQL): grouped counts in SQL, the
estimators (Aalen-Johansen, Table 1, exact and Wilson intervals) on per-patient frames that
never leave the report. Small counts in per-site tables are suppressed (``privacy``).
"""

from __future__ import annotations

from registry.report.build import ReportRefused, build_center_report
from registry.report.figures import CenterReport, Section, Table
from registry.report.privacy import DEFAULT_MIN_CELL
from registry.report.render import render_html, render_json, render_text
from registry.report.survey_side import SurveyError

__all__ = [
    "DEFAULT_MIN_CELL",
    "CenterReport",
    "ReportRefused",
    "Section",
    "SurveyError",
    "Table",
    "build_center_report",
    "render_html",
    "render_json",
    "render_text",
]
