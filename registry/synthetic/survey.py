"""Synthetic survey responses, calibrated to the published figures of the 2021 survey.

Items marked ``calibrated = true`` in the profile get their published counts exactly (for
the calibration size, 154; scaled for another N); the others draw from stated plausible
distributions. Branching and exclusive options are respected, so a generated export has no
error findings.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from registry import csvfile
from registry.models.survey import (
    CALIBRATION_FILE,
    EXPORT_FILE,
    ITEMS,
    Item,
    checkbox_column,
    item,
)
from registry.submission import format_value
from registry.synthetic.draw import Draw
from registry.synthetic.profile import ProfileError, profile_path

__all__ = ["SURVEY_FILE", "SurveyProfile", "generate_survey", "load_survey_profile", "write_survey"]

SURVEY_FILE = EXPORT_FILE
RESPONSE_COLUMNS = ("response_id", "started_at", "submitted_at", "complete")


class ItemProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    calibrated: bool
    counts: dict[str, int] | None = None
    weights: dict[str, float] | None = None
    options: dict[str, float] | None = None
    range: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ItemProfile:
        given = [k for k in ("counts", "weights", "options", "range") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of counts, weights, options or range")
        return self


class SurveySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    calibration_respondents: int = Field(gt=0)
    invited: int = Field(gt=0)
    fielding_start: dt.date
    fielding_end: dt.date
    no_answer: int = Field(ge=0)
    stopped_after_section_b: int = Field(ge=0)
    minutes: tuple[int, int]
    item_nonresponse: float = Field(ge=0, le=1)
    other_countries: list[str] = Field(min_length=1)


class SurveyProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "survey_2021"
    survey: SurveySettings
    items: dict[str, ItemProfile]

    @model_validator(mode="after")
    def _items_exist(self) -> SurveyProfile:
        for item_id, prof in self.items.items():
            it = item(item_id)  # KeyError: unknown item
            codes = set(it.codes.codes()) if it.codes else set()
            for table in (prof.counts, prof.weights, prof.options):
                if table and not set(table) <= codes:
                    raise ValueError(f"{item_id}: unknown codes {sorted(set(table) - codes)}")
        return self


def load_survey_profile(name_or_path: str | Path = "survey_2021") -> SurveyProfile:
    path = profile_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SurveyProfile.model_validate({**data, "name": path.stem})
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path} is not valid TOML: {exc}") from None
    except (ValidationError, KeyError) as exc:
        raise ProfileError(f"survey profile {path}: {exc}") from None


def _scaled(counts: dict[str, int], factor: float) -> dict[str, int]:
    """Counts times ``factor``, rounded so the total is rounded too (largest remainder)."""
    raw = {k: v * factor for k, v in counts.items()}
    total = round(sum(raw.values()))
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return out


@dataclass
class _Respondent:
    row: dict[str, Any]
    stage: int  # 0: nothing answered, 1: sections A-B only, 2: complete


def _shuffled(draw: Draw, values: list[Any]) -> list[Any]:
    for i in range(len(values) - 1, 0, -1):
        j = draw.integer(0, i)
        values[i], values[j] = values[j], values[i]
    return values


def _answer(draw: Draw, it: Item, prof: ItemProfile, row: dict[str, Any]) -> None:
    if prof.weights:
        weights = dict(prof.weights)
        if it.id == "q11_most_common_vte":  # the most common type is one the respondent treats
            ticked = [
                c
                for c in it.codes.codes()  # type: ignore[union-attr]
                if row.get(checkbox_column("q10_vte_types_treated", c))
            ]
            if ticked:
                weights = {c: w for c, w in weights.items() if c in ticked} or {ticked[0]: 1.0}
        if it.id in _FOLLOW_Q30:  # thresholds agree with what one does at low platelets
            weights = _consistent_with_q30(it.id, weights, row.get("q30_continue_low_platelets"))
        if it.id == "q32_plt_hold_threshold":  # hold at or below the count that reduces
            weights = _hold_at_or_below(weights, row.get("q31_plt_reduce_threshold"))
        row[it.id] = draw.pick(weights)
    elif prof.options:
        ticked = [c for c, p in prof.options.items() if draw.chance(p)]
        if not ticked:
            ticked = [max(prof.options, key=lambda c: prof.options[c])]  # type: ignore[index]
        for code in it.codes.codes():  # type: ignore[union-attr]
            row[checkbox_column(it.id, code)] = int(code in ticked)
    elif prof.range:
        row[it.id] = draw.integer(*prof.range)


_LIMIT = {
    "lt_100": 100,
    "lt_75": 75,
    "lt_50": 50,
    "lt_30": 30,
    "lt_25": 25,
    "lt_20": 20,
    "lt_10": 10,
}


#: The answer of q31/q32 that says "I do not reduce / hold".
_FOLLOW_Q30 = {"q31_plt_reduce_threshold": "never_reduce", "q32_plt_hold_threshold": "never_hold"}


def _consistent_with_q30(item: str, weights: dict[str, float], q30: str | None) -> dict[str, float]:
    """No contradictory respondent: who always continues full-dose anticoagulation neither
    reduces nor holds; who reduces (q30 dose_reduced) gives a count to reduce at; who holds
    (q30 held) gives a count to hold at."""
    never = _FOLLOW_Q30[item]
    if q30 == "always":
        return {never: 1.0}
    if (q30, item) in (
        ("dose_reduced", "q31_plt_reduce_threshold"),
        ("held", "q32_plt_hold_threshold"),
    ):
        return {c: w for c, w in weights.items() if c != never} or weights
    return weights


def _hold_at_or_below(weights: dict[str, float], reduce: str | None) -> dict[str, float]:
    limit = _LIMIT.get(reduce or "")
    if limit is None:
        return weights
    kept = {c: w for c, w in weights.items() if c not in _LIMIT or _LIMIT[c] <= limit}
    return kept or weights


def _shown(it: Item, row: dict[str, Any]) -> bool:
    return it.only_if is None or it.only_if.holds(_Row(row))


class _Row:
    """Attribute access over a dict, for the items' branching conditions."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._d = data

    def __getattr__(self, name: str) -> Any:
        return self._d.get(name)


def generate_survey(
    respondents: int, seed: int = 0, profile: SurveyProfile | str | Path = "survey_2021"
) -> list[dict[str, Any]]:
    """Rows of a survey export (model fields; checkbox columns 0/1 for shown items)."""
    prof = profile if isinstance(profile, SurveyProfile) else load_survey_profile(profile)
    s = prof.survey
    draw = Draw(seed * 1_000_003 + 5)
    factor = respondents / s.calibration_respondents
    no_answer = round(s.no_answer * factor)
    stopped = round(s.stopped_after_section_b * factor)
    stages = _shuffled(
        draw, [0] * no_answer + [1] * stopped + [2] * (respondents - no_answer - stopped)
    )
    people = [
        _Respondent({"response_id": f"R{n + 1:06d}"}, stage) for n, stage in enumerate(stages)
    ]
    answering = [p for p in people if p.stage >= 1]
    span = max((s.fielding_end - s.fielding_start).days, 1)
    for p in people:
        start = dt.datetime.combine(s.fielding_start, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
            days=draw.integer(0, span), minutes=draw.integer(0, 10 * 60)
        )
        p.row["started_at"] = start.replace(tzinfo=None)
        p.row["complete"] = p.stage == 2
        p.row["submitted_at"] = (
            (start + dt.timedelta(minutes=draw.integer(*s.minutes))).replace(tzinfo=None)
            if p.stage == 2
            else None
        )

    for it in ITEMS:
        section_b = it.section.startswith(("A.", "B."))
        eligible = answering if section_b else [p for p in people if p.stage == 2]
        ip = prof.items.get(it.id)
        if it.id == "q05_country_other":
            for p in eligible:
                if p.row.get("q04_country") == "other":
                    p.row[it.id] = draw.choice(s.other_countries)
            continue
        if ip is None:
            continue
        if ip.counts:
            targets = _scaled(ip.counts, factor)
            values = [code for code, k in targets.items() for _ in range(k)]
            pool = [p for p in eligible if _shown(it, p.row)]
            values = _shuffled(draw, values)[: len(pool)]
            for p, value in zip(_shuffled(draw, list(pool)), values, strict=False):
                p.row[it.id] = value
            continue
        for p in eligible:
            if not _shown(it, p.row) or (
                not it.required and draw.chance(s.item_nonresponse) and it.kind != "multi"
            ):
                continue
            _answer(draw, it, ip, p.row)
    return [p.row for p in people]


def write_survey(
    folder: Path, rows: list[dict[str, Any]], profile: SurveyProfile | None = None
) -> Path:
    """The export as CSV: metadata, then items in order (checkbox columns expanded); with
    the profile, also CALIBRATION_FILE naming the items not calibrated to a published
    figure (the summary marks them)."""
    columns = list(RESPONSE_COLUMNS) + [c for it in ITEMS for c in it.columns]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SURVEY_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvfile.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    if profile is not None:
        uncalibrated = [
            it.id
            for it in ITEMS
            if it.id not in profile.items or not profile.items[it.id].calibrated
        ]
        body = {
            "generator": f"synthetic survey, profile {profile.name}",
            "not_calibrated": uncalibrated,
        }
        (folder / CALIBRATION_FILE).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "1" if value else "0"
    return format_value(value)
