"""Submission validation: record conformance (models) and data-quality expectations.

Nothing here imports Great Expectations at import time (it takes seconds to import).
"""

from __future__ import annotations

from registry.validation.conformance import (
    FieldError,
    TableParse,
    parse_row,
    parse_rows,
)
from registry.validation.findings import Finding

__all__ = ["FieldError", "Finding", "TableParse", "parse_row", "parse_rows"]
