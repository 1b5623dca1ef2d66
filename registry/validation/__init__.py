"""Submission validation: record conformance (models) and the rule catalogue's checks.

Every name is imported when first used: ``import registry.validation.findings`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.validation.conformance import FieldError, TableParse, parse_row, parse_rows
    from registry.validation.findings import Finding

__all__ = ["FieldError", "Finding", "TableParse", "parse_row", "parse_rows"]

_HOMES = {
    "FieldError": "registry.validation.conformance",
    "TableParse": "registry.validation.conformance",
    "parse_row": "registry.validation.conformance",
    "parse_rows": "registry.validation.conformance",
    "Finding": "registry.validation.findings",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
