"""What every section of the report reads: the database, the per-patient and per-event
frames (built once), the sites, the survey summary, the suppression threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from registry.report.data import RegistryData
from registry.report.stats import age_group

__all__ = ["DAYS_PER_MONTH", "Context", "vte_type"]

DAYS_PER_MONTH = 365.25 / 12

#: The VTE types the survey asks about (survey.md items 12-25) as read from an event:
#: catheter-related DVT (any catheter-related event that is not a PE or CSVT), PE, CSVT, and
#: the rest.
VTE_TYPES = {
    "catheter_dvt": "Catheter-related DVT",
    "pe": "Pulmonary embolism",
    "csvt": "Cerebral sinovenous thrombosis",
    "other": "Other VTE",
}


def vte_type(location: str, catheter_related: bool) -> str:
    if location == "pulmonary_embolism":
        return "pe"
    if location == "cerebral_sinovenous":
        return "csvt"
    if catheter_related or location == "cvc_upper_dvt":
        return "catheter_dvt"
    return "other"


def _dates(frame: pd.DataFrame, *columns: str) -> None:
    for c in columns:
        frame[c] = pd.to_datetime(frame[c])


@dataclass
class Context:
    data: RegistryData
    min_cell: int
    survey: dict[str, Any] | None = None
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def one_site(self) -> bool:
        """A report on one site: every table is a per-site table."""
        return self.data.site is not None or len(self.sites) == 1

    @property
    def sites(self) -> list[str]:
        return sorted(self.patients["site_id"].unique().tolist())

    @property
    def patients(self) -> pd.DataFrame:
        """One row per patient with follow-up and the first VTE."""
        if "patients" not in self._cache:
            p = self.data.table(
                "patients",
                "patient_id",
                "site_id",
                "sex",
                "age_at_diagnosis_months",
                "diagnosis_date",
                "immunophenotype",
                "nci_risk_group",
                "mediastinal_mass",
                "down_syndrome",
                "protocol",
                "last_contact_date",
                "vital_status",
                "death_date",
                "cause_of_death",
            )
            _dates(p, "diagnosis_date", "last_contact_date", "death_date")
            p["end_date"] = p["death_date"].fillna(p["last_contact_date"])
            p["age_group"] = age_group(p["age_at_diagnosis_months"]).to_numpy()
            first = self.events.groupby("patient_id")["diagnosis_date"].min()
            p["first_vte_date"] = p["patient_id"].map(first)
            self._cache["patients"] = p
        return self._cache["patients"]

    @property
    def events(self) -> pd.DataFrame:
        """One row per VTE event, with its VTE type and its patient's site."""
        if "events" not in self._cache:
            e = self.data.table(
                "vte_events",
                "event_id",
                "patient_id",
                "diagnosis_date",
                "site",
                "catheter_related",
                "detection",
                "phase_at_event",
                "on_prophylaxis",
                "recurrence_of_event_id",
                "ctcae_grade",
                "ptwg_qualifying",
            ).rename(columns={"site": "location"})
            _dates(e, "diagnosis_date")
            e["vte_type"] = [
                vte_type(loc, bool(c))
                for loc, c in zip(e["location"], e["catheter_related"], strict=True)
            ]
            self._cache["events"] = e
        return self._cache["events"]

    @property
    def courses(self) -> pd.DataFrame:
        if "courses" not in self._cache:
            c = self.data.table(
                "anticoagulation_courses",
                "course_id",
                "patient_id",
                "event_id",
                "intent",
                "agent",
                "start_date",
                "stop_date",
                "intended_duration",
            )
            _dates(c, "start_date", "stop_date")
            self._cache["courses"] = c
        return self._cache["courses"]

    def frame(self, name: str, *columns: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
        key = f"{name}:{','.join(columns)}"
        if key not in self._cache:
            f = self.data.table(name, *columns)
            _dates(f, *dates)
            self._cache[key] = f
        return self._cache[key]
