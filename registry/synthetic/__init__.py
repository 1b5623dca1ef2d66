"""Synthetic data: realistic, reproducible cohorts and survey responses, with known defects
injected on request (the ground truth goes to ``defects.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from registry.models.ids import SITE_ID_PATTERN
from registry.submission import Format, inventory, write_manifest, write_submission
from registry.synthetic.cohort import Cohort, generate_cohort
from registry.synthetic.defects import (
    ENCODING_MARKER,
    LATIN1_TEXT,
    Defect,
    FileDefects,
    inject,
)
from registry.synthetic.profile import CohortProfile, ProfileError, load_profile

__all__ = [
    "Cohort",
    "CohortProfile",
    "ProfileError",
    "SynthResult",
    "generate_cohort",
    "load_profile",
    "synthesize",
    "write_cohort",
    "write_samples",
]

DEFECTS_FILE = "defects.json"


@dataclass(frozen=True)
class SynthResult:
    folder: Path
    files: list[Path]
    counts: dict[str, int]
    defects: list[Defect]


def _apply_file_defects(
    folder: Path,
    fmt: Format,
    files: FileDefects,
    manifest: dict[str, object],
    counts: dict[str, int],
) -> None:
    """Damage the written files as the defects say; the manifest lists the files as the
    export made them (so a file damaged in transit, ``unreadable``, no longer matches)."""
    for table in files.latin1_tables:
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_bytes().replace(ENCODING_MARKER.encode(), LATIN1_TEXT))
    if fmt == "parquet":
        _parquet_columns(folder, files)
    listed = inventory(folder, counts)  # the export's view, before any damage in transit
    write_manifest(folder, {k: v for k, v in manifest.items() if k != "tables"}, listed)
    for name, table in files.stray_files.items():
        (folder / name).write_bytes((folder / f"{table}.{fmt}").read_bytes())
    for table in files.unreadable:
        path = folder / f"{table}.{fmt}"
        data = path.read_bytes()
        # A damaged file: cut short and filled with NUL bytes, as a failed copy leaves it.
        path.write_bytes(data[: max(len(data) // 3, 8)] + b"\x00" * 64)


def _parquet_columns(folder: Path, files: FileDefects) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for table in {**files.extra_columns, **files.dropped_columns}:
        path = folder / f"{table}.parquet"
        data = pq.read_table(path)
        for column in files.dropped_columns.get(table, []):
            data = data.drop_columns([column])
        for column in files.extra_columns.get(table, []):
            data = data.append_column(column, pa.array([None] * data.num_rows, pa.string()))
        pq.write_table(data, path, compression="zstd")


def write_cohort(
    cohort: Cohort,
    folder: Path,
    fmt: Format = "csv",
    defects: list[Defect] | None = None,
    file_defects: FileDefects | None = None,
) -> list[Path]:
    files = file_defects or FileDefects()
    written = write_submission(
        folder,
        cohort.tables,
        cohort.manifest,
        fmt,
        extra_columns=files.extra_columns if fmt == "csv" else None,
        dropped_columns=files.dropped_columns if fmt == "csv" else None,
    )
    if files != FileDefects():
        _apply_file_defects(folder, fmt, files, cohort.manifest, cohort.counts())
    if defects is not None:
        path = folder / DEFECTS_FILE
        path.write_text(
            json.dumps([d.to_dict() for d in defects], indent=1) + "\n",
            encoding="utf-8",
            newline="\n",
        )
        written.append(path)
    return written


SAMPLE_PATIENTS, SAMPLE_SEED = 60, 60
SURVEY_SAMPLE_RESPONDENTS, SURVEY_SAMPLE_SEED = 154, 2021


def write_samples(folder: Path) -> list[Path]:
    """The small samples kept in ``synthetic/``: a 60-patient submission (``sample/``) and a
    calibrated survey export (``sample_survey/``). Regenerate with
    ``vte-registry export samples synthetic``."""
    from registry.synthetic.survey import generate_survey, load_survey_profile, write_survey

    sample = folder / "sample"
    if sample.exists():
        for old in sample.iterdir():
            old.unlink()
    files = synthesize(sample, SAMPLE_PATIENTS, SAMPLE_SEED).files
    survey_profile = load_survey_profile()
    rows = generate_survey(SURVEY_SAMPLE_RESPONDENTS, SURVEY_SAMPLE_SEED, survey_profile)
    files.append(write_survey(folder / "sample_survey", rows, survey_profile))
    return files


def synthesize(
    folder: Path | str,
    patients: int,
    seed: int = 0,
    profile: str | Path = "default",
    defects: float = 0.0,
    fmt: Format = "csv",
    progress: Callable[[int], None] | None = None,
    site: str | None = None,
) -> SynthResult:
    """Generate a cohort, inject defects if asked, and write it as a submission folder.

    ``site`` overrides the profile's site_id (e.g. to simulate several sites)."""
    folder = Path(folder)
    prof = load_profile(profile)
    if site is not None:
        prof = prof.model_copy(update={"cohort": prof.cohort.model_copy(update={"site_id": site})})
        if not re.match(SITE_ID_PATTERN, site):
            raise ProfileError(f"site {site!r} is not 3-8 upper-case letters or digits")
    cohort = generate_cohort(patients, seed, prof, progress=progress)
    injected, file_defects = inject(cohort, defects, fmt) if defects > 0 else ([], FileDefects())
    files = write_cohort(cohort, folder, fmt, injected if defects > 0 else None, file_defects)
    return SynthResult(folder, files, cohort.counts(), injected)
