"""The committed samples are what the generator writes today (drift test)."""

from __future__ import annotations

from pathlib import Path

from registry.synthetic import write_samples
from registry.validation.validate import validate_submission
from tests.conftest import REPO


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_samples_match_the_generator(tmp_path: Path) -> None:
    write_samples(tmp_path)
    committed = REPO / "synthetic"
    fresh = _files(tmp_path)
    for name, data in fresh.items():
        assert (committed / name).read_bytes() == data, (
            f"synthetic/{name} drifted: run `vte-registry export samples synthetic`"
        )
    assert {n for n in _files(committed) if n.startswith(("sample/", "sample_survey/"))} == set(
        fresh
    )


def test_sample_submission_is_valid() -> None:
    report = validate_submission(REPO / "synthetic" / "sample")
    assert report.errors == 0 and report.tables["patients"] == 60
