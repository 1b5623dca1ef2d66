"""Estimators written out by hand for the tests (textbook formulas, not the report's code)."""

from __future__ import annotations

__all__ = ["aalen_johansen"]


def aalen_johansen(times: list[float], outcome: list[int], at: float) -> float:
    """Cumulative incidence of outcome 1 (2 competing, 0 censored) at ``at``, in percent:
    the sum over event times t <= at of S(t-) * d1(t) / n(t)."""
    cif, surv = 0.0, 1.0
    for t in sorted(set(times)):
        if t > at:
            break
        n = sum(1 for x in times if x >= t)
        d1 = sum(1 for x, o in zip(times, outcome, strict=True) if x == t and o == 1)
        d2 = sum(1 for x, o in zip(times, outcome, strict=True) if x == t and o == 2)
        cif += surv * d1 / n
        surv *= 1 - (d1 + d2) / n
    return 100 * cif
