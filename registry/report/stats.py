"""Estimates with 95% confidence intervals, from the libraries that own them (scipy, lifelines)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "age_group",
    "cumulative_incidence",
    "pct",
    "poisson_rate",
    "proportion",
]

Z = 1.959963984540054  # 97.5th percentile of the standard normal


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def proportion(k: int, n: int) -> tuple[float | None, float | None, float | None]:
    """Percent with the Wilson score 95% interval (scipy's binomtest)."""
    if n <= 0:
        return None, None, None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return round(100 * k / n, 1), round(100 * float(ci.low), 1), round(100 * float(ci.high), 1)


def poisson_rate(
    events: int, person_years: float, per: float = 100.0
) -> tuple[float | None, float | None, float | None]:
    """Events per ``per`` person-years with the exact (Garwood, chi-square) 95% interval."""
    if person_years <= 0:
        return None, None, None
    low = float(stats.chi2.ppf(0.025, 2 * events)) / 2 if events else 0.0
    high = float(stats.chi2.ppf(0.975, 2 * (events + 1))) / 2
    scale = per / person_years
    return round(events * scale, 2), round(low * scale, 2), round(high * scale, 2)


def age_group(months: Any) -> Any:
    """< 1, 1-9 and >= 10 years at ALL diagnosis (the NOPHO / COG risk boundaries)."""
    return pd.cut(
        pd.Series(months, dtype="float64"),
        bins=[-math.inf, 12, 120, math.inf],
        right=False,
        labels=["< 1 year", "1-9 years", ">= 10 years"],
    ).astype(str)


def cumulative_incidence(
    months: np.ndarray[Any, Any], outcome: np.ndarray[Any, Any], at: list[float]
) -> list[tuple[float, float, float]]:
    """Aalen-Johansen cumulative incidence of outcome 1 with death (2) as a competing risk
    and 0 censored, at the times ``at`` (months): (estimate, lower, upper) in percent.

    lifelines' AalenJohansenFitter breaks ties between the event and the competing event by
    a small seeded jitter; its interval columns are named the other way round in lifelines
    0.30 (upper holds the lower bound), so the bounds are taken as min and max."""
    from lifelines import AalenJohansenFitter

    if len(months) == 0 or not (outcome == 1).any():
        return [(0.0, 0.0, 0.0) for _ in at]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tie-breaking jitter is announced as a warning
        fitter = AalenJohansenFitter(seed=0, calculate_variance=True)
        fitter.fit(months, outcome, event_of_interest=1)
    cif = fitter.cumulative_density_.iloc[:, 0]
    ci = fitter.confidence_interval_.ffill().fillna(0.0)
    out = []
    for t in at:
        upto = cif.index <= t
        if not upto.any():
            out.append((0.0, 0.0, 0.0))
            continue
        est = float(cif[upto].iloc[-1])
        bounds = ci[ci.index <= t].iloc[-1] if (ci.index <= t).any() else pd.Series([0.0, 0.0])
        low, high = float(bounds.min()), float(bounds.max())
        out.append(
            (round(100 * est, 2), round(100 * min(low, est), 2), round(100 * max(high, est), 2))
        )
    return out
