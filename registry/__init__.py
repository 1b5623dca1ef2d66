"""all-vte-registry: data model, validation and synthetic data for the ALL-VTE registry.

The public API (what the README documents)::

    from registry import synthesize, validate, load
    synthesize("out/submission", patients=300, seed=7)    # a synthetic submission folder
    report = validate("out/submission")                   # a Report: .ok, .findings, .to_dict()
    load("out/submission", "sqlite:///registry.sqlite")   # all or nothing; LoadRefused, LoadError

Also: the models (``registry.models``), ``pseudonymize``, the validating path for rows
(``parse_row``, ``parse_rows``), the survey (``registry.survey``) and persistence
(``registry.database.store``). Every function that takes a path takes a ``str`` or a ``Path``.
Every name is imported when first used (Great Expectations only by ``--engine gx``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registry.version import SCHEMA_VERSION, __version__

if TYPE_CHECKING:
    from registry.database.loading import DatabaseUnusable, LoadError, LoadRefused, LoadResult
    from registry.database.loading import load_submission as load
    from registry.models.ids import pseudonymize
    from registry.synthetic import synthesize
    from registry.validation.conformance import FieldError, parse_row, parse_rows
    from registry.validation.findings import Finding
    from registry.validation.inputs import UnusableInput
    from registry.validation.manifests import (
        ManifestRefused,
        ManifestWritten,
        make_manifest,
        refresh_manifest,
    )
    from registry.validation.report import Report
    from registry.validation.validate import validate_submission
    from registry.validation.validate import validate_submission as validate

# Every name is imported on first use, so that ``import registry`` is instant.
_LAZY = {
    "pseudonymize": ("registry.models.ids", "pseudonymize"),
    "FieldError": ("registry.validation.conformance", "FieldError"),
    "parse_row": ("registry.validation.conformance", "parse_row"),
    "parse_rows": ("registry.validation.conformance", "parse_rows"),
    "Finding": ("registry.validation.findings", "Finding"),
    "UnusableInput": ("registry.validation.inputs", "UnusableInput"),
    #: ``make_manifest(folder, site, cutoff)``: the manifest of a site's own table files.
    "make_manifest": ("registry.validation.manifests", "make_manifest"),
    "refresh_manifest": ("registry.validation.manifests", "refresh_manifest"),
    "ManifestRefused": ("registry.validation.manifests", "ManifestRefused"),
    "ManifestWritten": ("registry.validation.manifests", "ManifestWritten"),
    "Report": ("registry.validation.report", "Report"),
    #: ``validate(path)``: validate a submission folder or .zip and return its ``Report``.
    "validate": ("registry.validation.validate", "validate_submission"),
    "validate_submission": ("registry.validation.validate", "validate_submission"),
    "synthesize": ("registry.synthetic", "synthesize"),
    "load": ("registry.database.loading", "load_submission"),
    "LoadError": ("registry.database.loading", "LoadError"),
    "DatabaseUnusable": ("registry.database.loading", "DatabaseUnusable"),
    "LoadRefused": ("registry.database.loading", "LoadRefused"),
    "LoadResult": ("registry.database.loading", "LoadResult"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'registry' has no attribute {name!r}")


__all__ = [
    "SCHEMA_VERSION",
    "DatabaseUnusable",
    "FieldError",
    "Finding",
    "LoadError",
    "LoadRefused",
    "LoadResult",
    "ManifestRefused",
    "ManifestWritten",
    "Report",
    "UnusableInput",
    "__version__",
    "load",
    "make_manifest",
    "parse_row",
    "parse_rows",
    "pseudonymize",
    "refresh_manifest",
    "synthesize",
    "validate",
    "validate_submission",
]
