"""The registry as FHIR R4: resources built from registry records with their standard
codings (``resources``), written as Bulk Data NDJSON (``export``)."""

from __future__ import annotations

from registry.fhir.export import FhirExport, FhirRefused, export_fhir

__all__ = ["FhirExport", "FhirRefused", "export_fhir"]
