"""all-vte-registry: data model, validation and synthetic data for the ALL-VTE registry.

The public API: the models (``registry.models``), ``pseudonymize``, the validating path for
rows (``parse_row``, ``parse_rows``) and for whole submissions (``validate_submission``),
synthetic data (``registry.synthetic``), the survey (``registry.survey``) and persistence
(``registry.store``). Great Expectations is imported only when a validation runs.
"""

from __future__ import annotations

from registry.models.ids import pseudonymize
from registry.validation.conformance import FieldError, parse_row, parse_rows
from registry.validation.validate import validate_submission
from registry.version import SCHEMA_VERSION, __version__

__all__ = [
    "SCHEMA_VERSION",
    "FieldError",
    "__version__",
    "parse_row",
    "parse_rows",
    "pseudonymize",
    "validate_submission",
]
