"""The intake API's OpenAPI description, as served at ``/api/v1/openapi.json`` and published
in ``schemas/intake-openapi.json`` (``vte-registry export schemas``; a test fails when the
committed copy drifts from the application)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["OPENAPI_FILE", "openapi_document", "write_openapi"]

OPENAPI_FILE = "intake-openapi.json"


def openapi_document() -> dict[str, Any]:
    from registry.database.store import make_engine
    from registry.intake.app import create_app

    engine = make_engine("sqlite://")  # the description needs no database: never opened
    try:
        return create_app(engine, Path("unused")).openapi()
    finally:
        engine.dispose()


def write_openapi(path: Path) -> Path:
    path.write_text(json.dumps(openapi_document(), indent=2) + "\n", encoding="utf-8")
    return path
