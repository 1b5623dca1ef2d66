"""The provider practice survey end to end: read an export (ours or REDCap's), validate it,
summarize it (the paper's table, cross-tabulations) and draw the practice variation."""

from __future__ import annotations

from registry.survey.reading import SurveyExport, read_survey
from registry.survey.summary import Summary, summarize
from registry.survey.validate import validate_survey

__all__ = ["Summary", "SurveyExport", "read_survey", "summarize", "validate_survey"]
