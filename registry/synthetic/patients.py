"""Synthetic patients: baseline facts drawn for the whole cohort at once (numpy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from registry.models.growth import value_at_z
from registry.models.ids import pseudonymize
from registry.models.patients import nci_risk
from registry.synthetic.profile import CohortProfile

__all__ = ["PROTOCOL_NAMES", "Baseline", "draw_baselines"]

#: Height and BMI are drawn as z-scores of the growth references (registry.models.growth:
#: WHO below 24 months, CDC 2000 after, the trisomy 21 reference for Down syndrome), within
#: this many SD of the median, a healthy spread at diagnosis.
_GROWTH_Z_LIMIT = 2.5


#: Protocol names a site writes, by protocol (the PHI scan must let them through).
PROTOCOL_NAMES = {
    "cog": ("AALL1731", "AALL1732", "AALL1231", "AALL0932", "AALL1631"),
    "dfci": ("DFCI 16-001", "DFCI 11-001"),
    "st_jude": ("Total XVI", "Total XVII"),
    "bfm": ("AIEOP-BFM ALL 2017", "AIEOP-BFM ALL 2009"),
    "nopho": ("ALLTogether1", "NOPHO ALL2008"),
    "ukall": ("UKALL 2011", "UKALL 2003"),
    "other": ("Institutional",),
}


@dataclass(frozen=True)
class Baseline:
    """What is known about a patient at diagnosis, plus the seed of their own history."""

    index: int
    patient_id: str
    seed: int
    sex: str
    age_months: int
    immunophenotype: str
    wbc: float
    mediastinal_mass: bool
    cns_status: str
    down_syndrome: bool
    protocol: str
    protocol_name: str | None
    dx: dt.date
    weight: float
    height: float

    @property
    def nci_risk_group(self) -> str | None:
        if self.immunophenotype == "b_cell" and self.age_months >= 12:
            return nci_risk(self.age_months, self.wbc).value
        return None

    @property
    def risk_high(self) -> bool:
        """Treated on a high-risk backbone: NCI high, T-ALL, infant or mixed phenotype."""
        return (
            self.nci_risk_group == "high"
            or self.immunophenotype != "b_cell"
            or self.age_months < 12
        )


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def draw_baselines(profile: CohortProfile, n: int, seed: int) -> list[Baseline]:
    """Baseline facts of ``n`` patients, reproducible from ``seed``."""
    rng = np.random.Generator(np.random.PCG64(seed))
    demo, leuk, cohort = profile.demographics, profile.leukemia, profile.cohort

    ages_w = np.array(demo.age_year_weights, dtype=float)
    years = rng.choice(len(ages_w), size=n, p=ages_w / ages_w.sum())
    age_months = np.minimum(years * 12 + rng.integers(0, 12, size=n), 263)

    u = rng.random(n)
    sex = np.where(
        u < demo.sex_unknown_share,
        "unknown",
        np.where(u < demo.sex_unknown_share + demo.male_share, "male", "female"),
    )
    immuno = _pick(rng, leuk.immunophenotype, n)
    z = rng.standard_normal(n)
    median = np.array([leuk.wbc_median[i] for i in immuno])
    log_sd = np.array([leuk.wbc_log_sd[i] for i in immuno])
    wbc = np.clip(np.round(median * np.exp(z * log_sd), 1), 0.1, 1500.0)
    mass = rng.random(n) < np.array([leuk.mediastinal_mass_share[i] for i in immuno])
    cns = _pick(rng, leuk.cns_status, n)
    down = rng.random(n) < demo.down_syndrome_share
    protocol = _pick(rng, profile.therapy.protocol, n)
    named = rng.random(n) < profile.therapy.protocol_name_recorded_share
    name_pick = rng.random(n)

    start, end = cohort.diagnosis_start.toordinal(), cohort.diagnosis_end.toordinal()
    dx = rng.integers(start, end + 1, size=n)

    height_z, bmi_z = np.clip(rng.standard_normal((2, n)), -_GROWTH_Z_LIMIT, _GROWTH_Z_LIMIT)
    chart_sex = np.where(sex == "unknown", np.where(rng.random(n) < 0.5, "male", "female"), sex)
    height = np.empty(n)
    bmi = np.empty(n)
    for i in range(n):
        args = (str(chart_sex[i]), int(age_months[i]))
        height[i] = value_at_z(*args, "height", float(height_z[i]), bool(down[i]))
        bmi[i] = value_at_z(*args, "bmi", float(bmi_z[i]), bool(down[i]))
    height = np.clip(np.round(height, 1), 40.0, 220.0)
    weight = np.clip(np.round(bmi * (height / 100) ** 2, 1), 1.5, 200.0)
    seeds = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)

    secret = f"synthetic cohort seed {seed}"  # a site secret stand-in: pseudonyms as real
    out, seen = [], set()
    for i in range(n):
        pid = pseudonymize(f"SYN{i:08d}", cohort.site_id, secret)
        bump = 0
        while pid in seen:  # 34^8 IDs: rare, but a cohort must never repeat one
            bump += 1
            pid = pseudonymize(f"SYN{i:08d}/{bump}", cohort.site_id, secret)
        seen.add(pid)
        names = PROTOCOL_NAMES[protocol[i]]
        out.append(
            Baseline(
                index=i,
                patient_id=pid,
                seed=int(seeds[i]),
                sex=str(sex[i]),
                age_months=int(age_months[i]),
                immunophenotype=str(immuno[i]),
                wbc=float(wbc[i]),
                mediastinal_mass=bool(mass[i]),
                cns_status=str(cns[i]),
                down_syndrome=bool(down[i]),
                protocol=str(protocol[i]),
                protocol_name=names[int(name_pick[i] * len(names))] if named[i] else None,
                dx=dt.date.fromordinal(int(dx[i])),
                weight=float(weight[i]),
                height=float(height[i]),
            )
        )
    return out
