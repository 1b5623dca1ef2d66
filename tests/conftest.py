"""Shared fixtures. Expensive ones (databases, cohorts) are per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # --engine gx, in the tests

from registry.database import store
from registry.synthetic import SynthResult, synthesize
from registry.validation.report import Report
from registry.validation.validate import validate_submission

PG_URL = os.environ.get("VTE_REGISTRY_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# .ci/run sets this: there a PostgreSQL test that cannot connect fails instead of skipping.
REQUIRE_PG = os.environ.get("VTE_REGISTRY_REQUIRE_PG") == "1"

REPO = Path(__file__).resolve().parent.parent


def _pg_engine_or_skip() -> Engine:
    engine = store.make_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    return engine


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    engine = _pg_engine_or_skip()
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Database:
    """A database for one test: its URL (for subprocesses) and an engine on it."""

    url: str
    engine: Engine


def pg_url_for(schema: str) -> str:
    """PG_URL with a search_path to ``schema``: tables land there, also in subprocesses."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_db(pg_engine: Engine, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A private PostgreSQL schema for one test, dropped afterwards."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with pg_engine.begin() as connection:
        connection.execute(text(f'drop schema if exists "{name}" cascade'))
        connection.execute(text(f'create schema "{name}"'))
    url = pg_url_for(name)
    engine = store.make_engine(url)
    yield Database(url, engine)
    engine.dispose()
    with pg_engine.begin() as connection:
        connection.execute(text(f'drop schema if exists "{name}" cascade'))


@pytest.fixture
def pg_schema(pg_db: Database) -> Engine:
    return pg_db.engine


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    engine = store.make_engine(url)
    yield Database(url, engine)
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = store.make_engine(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    yield engine
    engine.dispose()


# --- shared cohorts (generated and validated once per session) -------------------------------
@dataclass(frozen=True)
class Validated:
    synth: SynthResult
    report: Report

    @property
    def folder(self) -> Path:
        return self.synth.folder


def _validated(factory: pytest.TempPathFactory, name: str, **kwargs: object) -> Validated:
    folder = factory.mktemp(name) / "submission"
    result = synthesize(folder, **kwargs)  # type: ignore[arg-type]
    return Validated(result, validate_submission(folder))


@pytest.fixture(scope="session")
def clean_cohort(tmp_path_factory: pytest.TempPathFactory) -> Validated:
    return _validated(tmp_path_factory, "clean", patients=600, seed=11)


@pytest.fixture(scope="session")
def clean_parquet_cohort(tmp_path_factory: pytest.TempPathFactory) -> Validated:
    return _validated(tmp_path_factory, "clean-parquet", patients=300, seed=12, fmt="parquet")


@pytest.fixture(scope="session")
def defect_cohort(tmp_path_factory: pytest.TempPathFactory) -> Validated:
    return _validated(tmp_path_factory, "defects", patients=2500, seed=13, defects=0.02)


@pytest.fixture(scope="session")
def defect_parquet_cohort(tmp_path_factory: pytest.TempPathFactory) -> Validated:
    return _validated(
        tmp_path_factory, "defects-parquet", patients=1500, seed=14, defects=0.03, fmt="parquet"
    )


# --- the center report: a two-site registry (generated, validated, loaded once) -------------
REPORT_SITES = {"NYC01": (500, 21), "BOS02": (150, 22)}


@dataclass(frozen=True)
class Registry:
    url: str
    folders: dict[str, Path]


@pytest.fixture(scope="session")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    from registry.database.loading import load_submission

    root = tmp_path_factory.mktemp("center")
    url = f"sqlite:///{root / 'registry.sqlite'}"
    folders = {}
    for site, (n, seed) in REPORT_SITES.items():
        folder = root / site
        synthesize(folder, patients=n, seed=seed, site=site)
        result = load_submission(folder, url)
        assert result.outcome == "loaded", result.message
        folders[site] = folder
    return Registry(url, folders)


@pytest.fixture(scope="session")
def survey_summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import json

    from registry.survey.summary import summarize

    summary, _ = summarize(REPO / "synthetic" / "sample_survey")
    path = tmp_path_factory.mktemp("survey") / "summary.json"
    path.write_text(json.dumps(summary.to_dict()), encoding="utf-8")
    return path
