"""Validation of the registry database: the same rule catalogue, across sites, in PostgreSQL
too, by both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from registry.database.central import validate_database
from registry.database.loading import load_submission
from registry.submission import MANIFEST_FILE, inventory, write_manifest
from registry.synthetic import synthesize
from tests.conftest import Database

DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("central")
    return [
        synthesize(base / "x", 200, seed=31, site="SITEX").folder,
        synthesize(base / "y", 150, seed=32, site="SITEY").folder,
    ]


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_database_validation_across_sites(db: Database, two_sites: list[Path]) -> None:
    for folder in two_sites:
        assert load_submission(folder, db.url).outcome == "loaded"
    report = validate_database(db.url)
    assert report.errors == 0, report.findings[:3]
    assert report.tables["patients"] == 350
    with db.engine.begin() as connection:  # corrupt one patient's phases, in the database
        pid = connection.execute(
            text(
                "SELECT patient_id FROM treatment_phases WHERE phase = 'consolidation' "
                "AND patient_id LIKE 'SITEY-%' ORDER BY patient_id LIMIT 1"
            )
        ).scalar()
        earlier = (
            "date(start_date, '-20 days')" if db.url.startswith("sqlite") else "start_date - 20"
        )
        connection.execute(
            text(
                f"UPDATE treatment_phases SET start_date = {earlier} "
                "WHERE phase = 'consolidation' AND patient_id = :pid"
            ),
            {"pid": pid},
        )
    report = validate_database(db.url)
    overlap = [f for f in report.findings if f.rule == "phase-overlap"]
    assert len(overlap) == 1
    assert overlap[0].record_id.startswith(pid) and overlap[0].message.startswith("site SITEY")
    assert overlap[0].row is None  # rows of files do not exist in the database
    # --engine gx: the published suites through Great Expectations, the same findings
    through_gx = validate_database(db.url, "gx")
    fields = ("rule", "severity", "table", "row", "record_id", "field", "value", "message")
    assert [tuple(getattr(f, k) for k in fields) for f in through_gx.findings] == [
        tuple(getattr(f, k) for k in fields) for f in report.findings
    ]


def test_the_demo_loaded_validates_as_its_files_did(sqlite_db: Database, tmp_path: Path) -> None:
    """The demo's cohort (300 patients, seed 7) holds two adjustments of one course on one
    day: the order of a course's adjustments (date, then the adjustment's number) is the
    same in the files and in the registry, so the database says what the files said."""
    import csv
    from collections import Counter

    from registry.validation.validate import validate_submission

    folder = synthesize(tmp_path / "demo", 300, seed=7).folder
    path = folder / "dose_adjustments.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    if max(Counter((r["course_id"], r["date"]) for r in rows).values()) == 1:
        # the generator's draws change with its realism; the case is made if they lost it
        last = rows[-1]
        number = sum(r["patient_id"] == last["patient_id"] for r in rows) + 1
        rows.append({**last, "adjustment_id": f"{last['patient_id']}-D{number}"})
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        counts = {name: entry["rows"] for name, entry in manifest.pop("tables").items()}
        write_manifest(folder, manifest, inventory(folder, {**counts, path.stem: len(rows)}))
    assert max(Counter((r["course_id"], r["date"]) for r in rows).values()) > 1
    files = validate_submission(folder)
    assert load_submission(folder, sqlite_db.url).outcome == "loaded"
    database = validate_database(sqlite_db.url)
    assert database.errors == 0, [f.message for f in database.findings if f.severity == "error"]
    assert sorted(f.rule for f in database.findings) == sorted(
        f.rule for f in files.findings if f.rule not in ("completeness-threshold",)
    )
