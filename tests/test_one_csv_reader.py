"""Registry submissions, survey exports and REDCap exports are read by one CSV reader: the
same damage gives the same findings, never a silent guess or a silently cut row."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.redcap_records import import_redcap
from registry.survey.reading import read_survey
from registry.synthetic.survey import generate_survey, write_survey
from registry.validation.reading import UnusableInput


@pytest.fixture(scope="module")
def survey_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_survey(tmp_path_factory.mktemp("sv"), generate_survey(12, 3))


def test_a_survey_row_of_the_wrong_width_is_a_finding(survey_csv: Path, tmp_path: Path) -> None:
    lines = survey_csv.read_text().splitlines()
    lines[3] += ",surplus"
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    export = read_survey(path)
    assert len(export.rows) == 11
    assert any(f.rule == "unreadable-file" and "line 4" in f.message for f in export.findings)


def test_a_semicolon_survey_export_says_how_to_save_it(survey_csv: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(survey_csv.read_text().replace(",", ";"))
    with pytest.raises(UnusableInput, match=r"';'.*CSV UTF-8"):
        read_survey(path)


def test_a_windows_1252_survey_export_is_named_not_guessed(
    survey_csv: Path, tmp_path: Path
) -> None:
    lines = survey_csv.read_text().splitlines()
    header = lines[0].split(",")
    column = header.index("q05_country_other")
    cells = lines[1].split(",")
    cells[column] = "España"
    lines[1] = ",".join(cells)
    path = tmp_path / "export.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    export = read_survey(path)
    found = [f for f in export.findings if f.rule == "encoding-error"]
    assert found and found[0].field == "q05_country_other" and "'ñ'" in found[0].message
    assert len(export.rows) == 11  # that row is not read, and says so


def test_a_redcap_row_of_the_wrong_width_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "redcap.csv"
    path.write_text(
        "patient_id,redcap_repeat_instrument,redcap_repeat_instance,sex\n"
        "NYC01-7F3K9Q2M,,,female,surplus\n"
    )
    result = import_redcap(path, tmp_path / "out", cutoff=None)
    assert any(f.rule == "unreadable-file" and "line 2" in f.message for f in result.findings)
    assert result.counts.get("patients", 0) == 0  # the row was not cut to fit
