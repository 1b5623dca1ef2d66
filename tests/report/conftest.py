"""Shared fixtures of the center report tests: a two-site registry (generated, validated and
loaded once per session) and a survey summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.loading import load_submission
from registry.synthetic import synthesize

REPO = Path(__file__).resolve().parents[2]
SITES = {"NYC01": (500, 21), "BOS02": (150, 22)}


@dataclass(frozen=True)
class Registry:
    url: str
    folders: dict[str, Path]


@pytest.fixture(scope="session")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    root = tmp_path_factory.mktemp("center")
    url = f"sqlite:///{root / 'registry.sqlite'}"
    folders = {}
    for site, (n, seed) in SITES.items():
        folder = root / site
        synthesize(folder, patients=n, seed=seed, site=site)
        result = load_submission(folder, url)
        assert result.outcome == "loaded", result.message
        folders[site] = folder
    return Registry(url, folders)


@pytest.fixture(scope="session")
def survey_summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from registry.survey.summary import summarize

    summary, _ = summarize(REPO / "synthetic" / "sample_survey")
    path = tmp_path_factory.mktemp("survey") / "summary.json"
    path.write_text(json.dumps(summary.to_dict()), encoding="utf-8")
    return path
