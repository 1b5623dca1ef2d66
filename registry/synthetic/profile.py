"""Cohort profiles: the clinical parameters of a synthetic cohort, read from TOML.

``synthetic/profiles/default.toml`` holds every parameter with its source. A custom profile
(a name under ``synthetic/profiles`` or a path) is deep-merged over the default, so it only
needs the values it changes. Unknown keys are refused: a typo must not go unnoticed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from registry.paths import data_dir

__all__ = ["CohortProfile", "ProfileError", "load_profile", "profile_path"]


class ProfileError(ValueError):
    """A profile that cannot be found or does not validate; the message names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Share = float
Weights = dict[str, float]


def _weights_ok(value: Weights) -> Weights:
    if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    return value


class Cohort(_Section):
    site_id: str = Field(pattern=r"^[A-Z0-9]{3,8}$")
    diagnosis_start: dt.date
    diagnosis_end: dt.date
    data_cutoff: dt.date
    enrollment_delay_max_days: int = Field(ge=0, le=60)
    late_enrollment_share: Share = Field(ge=0, le=1)
    lost_to_follow_up_share: Share = Field(ge=0, le=1)


class Demographics(_Section):
    male_share: Share = Field(ge=0, le=1)
    sex_unknown_share: Share = Field(ge=0, le=1)
    age_year_weights: list[float] = Field(min_length=22, max_length=22)
    down_syndrome_share: Share = Field(ge=0, le=1)


class Leukemia(_Section):
    immunophenotype: Weights
    wbc_median: dict[str, float]
    wbc_log_sd: dict[str, float]
    mediastinal_mass_share: dict[str, float]
    cns_status: Weights

    _w = field_validator("immunophenotype", "cns_status")(_weights_ok)


class Therapy(_Section):
    protocol: Weights
    protocol_name_recorded_share: Share
    induction_days: int = Field(gt=0)
    consolidation_days_standard: int = Field(gt=0)
    consolidation_days_high: int = Field(gt=0)
    interim_maintenance_days: int = Field(gt=0)
    delayed_intensification_days: int = Field(gt=0)
    second_intensification_share_high: Share
    maintenance_until_days_from_im1: int = Field(gt=0)
    gap_days_max: int = Field(ge=0)
    steroid_age_cutoff_months: int

    _w = field_validator("protocol")(_weights_ok)


class Asparaginase(_Section):
    calaspargase_share: Share
    dose_iu_per_m2: float
    capizzi_share_high: Share
    hypersensitivity_share: Share
    erwinia_dose_mg_per_m2: float
    erwinia_doses_per_course: int = Field(ge=1)
    iv_share: Share
    activity_monitored_share: Share
    silent_inactivation_share: Share


class Catheters(_Section):
    catheter_share: Share
    insertion_offset_days: tuple[int, int]
    type: Weights
    right_side_share: Share
    early_removal_share: Share
    replacement_share: Share

    _w = field_validator("type")(_weights_ok)


class Thrombophilia(_Section):
    tested_at_diagnosis_share: Share
    tested_after_vte_share: Share
    fvl_heterozygous: Share
    fvl_homozygous: Share
    prothrombin_heterozygous: Share
    lpa_high_share: Share
    protein_c_low_share: Share
    protein_s_low_share: Share
    antithrombin_low_share: Share
    lupus_anticoagulant_positive: Share
    panel_share: Share
    value_recorded_share: Share


class Vte(_Section):
    incidence: Share = Field(ge=0, le=0.9)
    hr_age_ge_10: float = Field(gt=0)
    hr_mediastinal_mass: float = Field(gt=0)
    hr_t_cell: float = Field(gt=0)
    hr_thrombophilia: float = Field(gt=0)
    hr_prednisone: float = Field(gt=0)
    hr_catheter: float = Field(gt=0)
    hr_primary_prophylaxis: float = Field(gt=0)
    induction_share: Share
    within_14_days_of_asparaginase_share: Share
    consolidation_share: Share
    site: Weights
    detection: Weights
    occlusive: Weights
    recurrence_share: Share
    fatal_share_serious: Share
    lab_recorded_share: Share

    _w = field_validator("site", "detection", "occlusive")(_weights_ok)


class Treatment(_Section):
    treated_share: dict[str, float]
    agent: Weights
    ufh_then_lmwh_share: Share
    duration: Weights
    enoxaparin_mg_per_kg: float
    enoxaparin_mg_per_kg_under_2_months: float
    ufh_units_per_kg_per_hour: float
    ufh_units_per_kg_per_hour_under_1_year: float
    warfarin_mg_per_kg: float
    primary_prophylaxis_share: Share
    secondary_prophylaxis_share: Share
    thrombocytopenia_episode_share: Share
    lp_holds_max: int = Field(ge=0)
    early_stop_bleeding_share: Share

    _w = field_validator("agent", "duration")(_weights_ok)


class Monitoring(_Section):
    anti_xa_treatment: tuple[float, float]
    anti_xa_prophylaxis: tuple[float, float]
    anti_xa_ufh: tuple[float, float]
    aptt_ufh: tuple[float, float]
    inr_warfarin: tuple[float, float]
    anti_xa_samples_max: int = Field(ge=0)
    baseline_labs: bool


class Bleeding(_Section):
    share_on_anticoagulation: Share
    share_without_anticoagulation: Share
    category: Weights
    hb_drop_recorded_share: Share

    _w = field_validator("category")(_weights_ok)


class FollowUp(_Section):
    assessment_share: Share
    response: Weights
    pts_scored_share: Share
    imaging_recorded_share: Share


class Outcomes(_Section):
    death_share: Share
    cause_of_death: Weights


class CohortProfile(_Section):
    """All parameters of a synthetic cohort."""

    name: str = "default"
    cohort: Cohort
    demographics: Demographics
    leukemia: Leukemia
    therapy: Therapy
    asparaginase: Asparaginase
    catheters: Catheters
    thrombophilia: Thrombophilia
    vte: Vte
    treatment: Treatment
    monitoring: Monitoring
    bleeding: Bleeding
    follow_up: FollowUp
    outcomes: Outcomes


def profile_path(name_or_path: str | Path) -> Path:
    """A profile file: a path as given, else ``synthetic/profiles/<name>.toml``."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ProfileError(f"profile file {candidate} does not exist")
        return candidate
    named = data_dir("synthetic") / "profiles" / f"{name_or_path}.toml"
    if not named.is_file():
        known = sorted(p.stem for p in named.parent.glob("*.toml"))
        raise ProfileError(f"no profile named {name_or_path!r} (known: {', '.join(known)})")
    return named


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read profile {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path} is not valid TOML: {exc}") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in _WHOLE:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


#: Weight tables are replaced as a whole by a custom profile, not merged key by key.
_WHOLE = {
    "immunophenotype",
    "cns_status",
    "protocol",
    "type",
    "site",
    "detection",
    "occlusive",
    "agent",
    "duration",
    "category",
    "response",
    "cause_of_death",
}


def load_profile(name_or_path: str | Path = "default") -> CohortProfile:
    """Load a cohort profile (merged over the default); ProfileError names a bad key."""
    data = _read(profile_path("default"))
    path = profile_path(name_or_path)
    name = path.stem
    if path.resolve() != profile_path("default").resolve():
        data = _merge(data, _read(path))
    try:
        return CohortProfile.model_validate({**data, "name": name})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProfileError(f"profile {path}: {where}: {first['msg']}") from None
