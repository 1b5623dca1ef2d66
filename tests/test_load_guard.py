"""The load guard and the order of submissions: nothing is removed without being asked, an
older submission never replaces a newer one (compared in UTC), and a reload says what it is.
Each test reproduces a defect of the issue "Nothing lost, nothing silently dropped"."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from registry.database.loading import LoadError, LoadRefused, load_submission
from registry.database.store import AUDIT
from registry.models import TABLES
from registry.submission import inventory
from registry.synthetic import synthesize
from tests.conftest import Database
from tests.rows import as_1_0

DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("guard") / "s", 200, seed=11, site="SITEG").folder


def _count(engine: Engine, table: str) -> int:
    t = next(s for s in TABLES if s.name == table).sql_table
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(t)).scalar() or 0


def _counts(engine: Engine) -> dict[str, int]:
    return {spec.name: _count(engine, spec.name) for spec in TABLES}


def _resubmit(
    source: Path,
    target: Path,
    created_at: str = "2026-01-02T06:00:00+00:00",
    keep_rows: dict[str, int] | None = None,
    drop: tuple[str, ...] = (),
    version: str = "1.1",
) -> Path:
    """A new submission of the same site made from ``source``: a new submission_id and
    created_at, some tables cut to their first rows or left out, the manifest made anew."""
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    counts = {name: entry["rows"] for name, entry in manifest["tables"].items()}
    for name, rows in (keep_rows or {}).items():
        path = target / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[: rows + 1]), encoding="utf-8")
        counts[name] = rows
    for name in drop:
        (target / f"{name}.csv").unlink()
        counts[name] = 0
    manifest.update(submission_id=str(uuid.uuid4()), created_at=created_at, schema_version=version)
    if version == "1.0":
        (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return as_1_0(target)  # as a 1.0 site sends it: no 1.1 columns or tables
    else:
        manifest["tables"] = inventory(target, counts)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_one_patient_submission_does_not_silently_replace_a_site(
    db: Database, site: Path, tmp_path: Path
) -> None:
    load_submission(site, db.url)
    before = _counts(db.engine)
    one = synthesize(tmp_path / "one", 1, seed=99, site="SITEG").folder
    manifest = json.loads((one / "manifest.json").read_text())
    manifest["created_at"] = "2026-01-03T00:00:00+00:00"
    (one / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(LoadRefused, match="--allow-removal") as refused:
        load_submission(one, db.url)
    assert refused.value.changes.tables["patients"].removed == 200
    assert f"remove {sum(before.values()):,} records" in str(refused.value)
    assert _counts(db.engine) == before  # nothing changed


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_dry_run_and_allow_removal(db: Database, site: Path, tmp_path: Path) -> None:
    load_submission(site, db.url)
    labs = _count(db.engine, "lab_results")
    fewer = _resubmit(site, tmp_path / "fewer", keep_rows={"lab_results": labs // 2})
    dry = load_submission(fewer, db.url, dry_run=True)
    assert dry.outcome == "dry-run" and dry.changes is not None
    assert dry.changes.tables["lab_results"].to_dict() == {
        "added": 0,
        "changed": 0,
        "unchanged": labs // 2,
        "removed": labs - labs // 2,
    }
    assert dry.changes.tables["patients"].unchanged == 200
    assert _count(db.engine, "lab_results") == labs  # a dry run writes nothing
    with pytest.raises(LoadRefused, match=f"lab_results {labs - labs // 2:,}"):
        load_submission(fewer, db.url)
    done = load_submission(fewer, db.url, allow_removal=True)
    assert done.outcome == "replaced"
    assert _count(db.engine, "lab_results") == labs // 2
    with db.engine.connect() as connection:
        audit = connection.execute(select(AUDIT).order_by(AUDIT.c.loaded_at)).mappings().all()
    assert json.loads(audit[-1]["changes"])["lab_results"]["removed"] == labs - labs // 2


def _change_first_weight(path: Path) -> None:
    """The first patient's weight at diagnosis, 1 kg more: a changed record."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["weight_kg_at_diagnosis"] = str(float(rows[0]["weight_kg_at_diagnosis"]) + 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_changed_record_is_counted_as_changed(
    sqlite_db: Database, site: Path, tmp_path: Path
) -> None:
    load_submission(site, sqlite_db.url)
    changed = _resubmit(site, tmp_path / "changed")
    _change_first_weight(changed / "patients.csv")
    changed = _resubmit(changed, tmp_path / "changed2", created_at="2026-01-03T00:00:00Z")
    result = load_submission(changed, sqlite_db.url)  # nothing removed: no permission needed
    assert result.changes is not None
    assert result.changes.tables["patients"].to_dict() == {
        "added": 0,
        "changed": 1,
        "unchanged": 199,
        "removed": 0,
    }


def test_a_missing_file_is_a_finding_not_no_rows(site: Path, tmp_path: Path) -> None:
    from registry.validation.validate import validate_submission

    folder = tmp_path / "missing"
    shutil.copytree(site, folder)
    (folder / "lab_results.csv").unlink()
    found = [f for f in validate_submission(folder).findings if f.rule == "manifest-mismatch"]
    assert [(f.table, f.field) for f in found] == [("lab_results", "lab_results.csv")]
    assert "lists" in found[0].message and "no lab_results.csv" in found[0].message


def _filled(engine: Engine) -> dict[str, int]:
    """table.field -> values given, of every field schema 1.1 added, and rows per table."""
    from registry.models import TABLES

    out = {}
    with engine.connect() as connection:
        for spec in TABLES:
            t = spec.sql_table
            out[spec.name] = connection.execute(select(func.count()).select_from(t)).scalar()
            for name in set(spec.fields) - set(spec.fields_in("1.0")):
                given = select(func.count()).select_from(t).where(t.c[name].isnot(None))
                out[f"{spec.name}.{name}"] = connection.execute(given).scalar()
    return out


@pytest.fixture(scope="module")
def site_with_interventions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose cohort has records in every table (an intervention among them)."""
    return synthesize(tmp_path_factory.mktemp("resend") / "s", 400, seed=1, site="SITEG").folder


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_re_send_in_the_older_form_erases_nothing(
    db: Database, site_with_interventions: Path, tmp_path: Path
) -> None:
    """A site loads its cohort in 1.1, then sends it again as 1.0 (without lab_results):
    every value 1.1 added is still there, and the tables 1.0 does not submit keep their rows;
    the load says so."""
    from registry.validation.validate import validate_submission

    site = site_with_interventions
    load_submission(site, db.url)
    before = _filled(db.engine)
    assert before["catheters.tip_position"] > 0 and before["vte_interventions"] > 0
    assert before["vte_events.urgent_intervention"] > 0
    assert before["dose_adjustments.new_dose"] > 0
    old = _resubmit(site, tmp_path / "v10", drop=("lab_results",), version="1.0")
    report = validate_submission(old)
    assert report.ok and report.schema_version == "1.0"
    assert report.not_submitted == ["lab_results", "vte_interventions"]
    result = load_submission(old, db.url)
    assert result.outcome == "replaced", result.message
    assert _filled(db.engine) == before
    assert result.changes is not None
    changes = result.changes.tables
    assert changes["lab_results"].kept == before["lab_results"]
    assert changes["vte_interventions"].kept == before["vte_interventions"]
    assert result.changes.total("changed") == 0 and result.changes.emptied == 0
    assert "kept, not submitted: lab_results" in result.message


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_values_a_re_send_leaves_empty_are_counted_and_asked_for(
    db: Database, site: Path, tmp_path: Path
) -> None:
    """A 1.1 re-send that leaves a field empty: refused, the emptied values counted per table
    and field (also in a dry run); with allow_removal they are emptied."""
    load_submission(site, db.url)
    before = _filled(db.engine)
    new = _resubmit(site, tmp_path / "emptied")
    path = new / "catheters.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    emptied = sum(1 for r in rows if r["tip_position"])
    for r in rows:
        r["tip_position"] = ""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    new = _resubmit(new, tmp_path / "emptied2", created_at="2026-01-02T07:00:00+00:00")
    dry = load_submission(new, db.url, dry_run=True)
    assert dry.changes is not None and dry.changes.tables["catheters"].emptied == {
        "tip_position": emptied
    }
    assert f"catheters.tip_position {emptied:,}" in dry.message
    with pytest.raises(LoadRefused, match=f"empty {emptied:,} values") as refused:
        load_submission(new, db.url)
    assert f"catheters.tip_position {emptied:,}" in str(refused.value)
    assert _filled(db.engine) == before
    assert load_submission(new, db.url, allow_removal=True).outcome == "replaced"
    assert _filled(db.engine)["catheters.tip_position"] == 0


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_order_of_submissions_is_compared_in_utc(db: Database, site: Path, tmp_path: Path) -> None:
    # 06:00 at UTC-4 is 10:00 UTC: a submission of 08:00 UTC is older, though "08" > "06".
    later = _resubmit(site, tmp_path / "later", created_at="2026-01-02T06:00:00-04:00")
    earlier = _resubmit(site, tmp_path / "earlier", created_at="2026-01-02T08:00:00+00:00")
    load_submission(later, db.url)
    with pytest.raises(LoadError) as refused:
        load_submission(earlier, db.url)
    message = str(refused.value)
    assert "2026-01-02T08:00:00+00:00" in message and "2026-01-02T10:00:00+00:00" in message
    older = _resubmit(site, tmp_path / "older", created_at="2026-01-02T10:30:00+01:00")
    with pytest.raises(LoadError, match="older submission"):  # 09:30 UTC
        load_submission(older, db.url)
    newer = _resubmit(site, tmp_path / "newer", created_at="2026-01-02T12:00:00+01:00")
    assert load_submission(newer, db.url).outcome == "replaced"


def test_a_submission_from_the_future_is_refused_with_both_times(
    sqlite_db: Database, site: Path, tmp_path: Path
) -> None:
    future = _resubmit(site, tmp_path / "future", created_at="9999-12-31T00:00:00+00:00")
    result = load_submission(future, sqlite_db.url)
    assert result.outcome == "rejected"
    found = [f for f in result.report.findings if f.field == "created_at"]
    assert found and "9999-12-31" in found[0].message and "now" in found[0].message
    # and the site is not locked out: a real submission still loads
    assert load_submission(site, sqlite_db.url).outcome == "loaded"


def test_reloading_a_replaced_submission_says_so(
    sqlite_db: Database, site: Path, tmp_path: Path
) -> None:
    load_submission(site, sqlite_db.url)
    newer = _resubmit(site, tmp_path / "newer")
    load_submission(newer, sqlite_db.url)
    assert load_submission(newer, sqlite_db.url).outcome == "unchanged"
    with pytest.raises(LoadError, match="has since been replaced by submission"):
        load_submission(site, sqlite_db.url)


def test_cli_dry_run_and_refusal(tmp_path: Path, site: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "registry", *args], capture_output=True, text=True, timeout=300
        )

    assert cli("load", str(site), "--db", url).returncode == 0
    fewer = _resubmit(site, tmp_path / "fewer", keep_rows={"vte_assessments": 3})
    dry = cli("load", str(fewer), "--db", url, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run, nothing written" in dry.stdout and "removed" in dry.stdout
    refused = cli("load", str(fewer), "--db", url)
    assert refused.returncode == 1
    assert "--allow-removal" in refused.stderr and "Traceback" not in refused.stderr
    assert cli("load", str(fewer), "--db", url, "--allow-removal").returncode == 0


def _contents(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every registry table's rows, as text, in ID order."""
    out = {}
    with engine.connect() as connection:
        for spec in TABLES:
            table = spec.sql_table
            rows = connection.execute(select(table).order_by(table.c[spec.id_field]))
            out[spec.name] = [tuple(map(str, row)) for row in rows]
    return out


def _without_patients(source: Path, target: Path, patients: set[str]) -> Path:
    """``source`` without every record of ``patients`` (a parent and all its children)."""
    shutil.copytree(source, target)
    for path in target.glob("*.csv"):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            kept = [r for r in rows if r["patient_id"] not in patients]
            writer.writerows(kept)
        manifest = json.loads((target / "manifest.json").read_text())
        manifest["tables"][path.stem]["rows"] = len(kept)  # _resubmit makes the inventory
        (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


#: Where the tables reach the load's writer from: SQLite or DuckDB staging.
STAGINGS = [("sqlite", 10**12), ("duckdb", 0)]


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
@pytest.mark.parametrize(("_name", "min_rows"), STAGINGS, ids=[s[0] for s in STAGINGS])
def test_a_replacement_leaves_exactly_the_new_submission(
    db: Database,
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    _name: str,
    min_rows: int,
) -> None:
    """Records changed, unchanged and removed (patients with all their children, and half
    the lab results): the registry then holds what a load of the new submission alone into
    an empty database holds, however the tables reached the writer."""
    from registry.validation import staging_engines

    monkeypatch.setattr(staging_engines, "DUCKDB_MIN_ROWS", min_rows)
    load_submission(site, db.url)
    events = list(csv.DictReader((site / "vte_events.csv").open(encoding="utf-8")))
    with_events = sorted({e["patient_id"] for e in events})[:2]
    patients = list(csv.DictReader((site / "patients.csv").open(encoding="utf-8")))
    gone = {*with_events, patients[-1]["patient_id"]}
    fewer = _without_patients(site, tmp_path / "fewer", gone)
    _change_first_weight(fewer / "patients.csv")
    labs = sum(1 for _ in (fewer / "lab_results.csv").open()) - 1
    new = _resubmit(fewer, tmp_path / "new", keep_rows={"lab_results": labs // 2})
    result = load_submission(new, db.url, allow_removal=True)
    assert result.outcome == "replaced", [f.message for f in result.report.findings][:3]
    assert result.changes is not None
    assert result.changes.tables["patients"].to_dict() == {
        "added": 0,
        "changed": 1,
        "unchanged": 200 - len(gone) - 1,
        "removed": len(gone),
    }
    assert result.changes.tables["vte_events"].removed > 0
    from registry.database.store import make_engine

    alone = make_engine(f"sqlite:///{tmp_path / 'alone.sqlite'}")
    assert load_submission(new, engine=alone).outcome == "loaded"
    expected = _contents(alone)
    alone.dispose()
    assert _contents(db.engine) == expected
    assert {k: len(v) for k, v in expected.items()} == {
        name: sum(1 for _ in (new / f"{name}.csv").open()) - 1 for name in expected
    }


def test_a_dry_run_into_a_new_sqlite_file_leaves_no_file(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    result = load_submission(site, f"sqlite:///{path}", dry_run=True)
    assert result.outcome == "dry-run" and "into a new database" in result.message
    assert result.changes is not None and result.changes.total("added") > 0
    assert sorted(tmp_path.iterdir()) == []
