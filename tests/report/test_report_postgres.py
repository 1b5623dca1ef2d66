"""The same registry in PostgreSQL gives the same report as in SQLite (the grouped counts run
in the database, whose date arithmetic differs)."""

from __future__ import annotations

from typing import Any

import pytest

from registry.database.loading import load_submission
from registry.report import build_center_report
from tests.conftest import Registry


def _figures(report: Any) -> dict[str, Any]:
    data = report.to_dict()
    for key in ("source", "generated_at"):
        data.pop(key)
    return data


@pytest.mark.postgres
def test_postgres_report_equals_sqlite(registry_db: Registry, pg_db: Any) -> None:
    for folder in registry_db.folders.values():
        assert load_submission(folder, pg_db.url).outcome == "loaded"
    on_pg = build_center_report(pg_db.url)
    on_sqlite = build_center_report(registry_db.url)
    assert on_pg.source.startswith("postgresql")
    pg, lite = _figures(on_pg), _figures(on_sqlite)
    for section, content in lite["sections"].items():
        for key, table in content["tables"].items():
            if key == "quality_trend":  # submission dates differ only by when they were made
                continue
            assert pg["sections"][section]["tables"][key] == table, f"{section}.{key}"
    site = build_center_report(pg_db.url, site="BOS02")
    assert site.table("sites").column("Site") == ["BOS02"]
