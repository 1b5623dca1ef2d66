"""The estimators against hand computation and published values."""

from __future__ import annotations

import numpy as np
import pytest

from registry.report.stats import cumulative_incidence, poisson_rate, proportion
from tests.hand_estimates import aalen_johansen

# Ten patients, no ties: VTE (1), death (2), censored (0).
TIMES = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
OUTCOME = [1, 0, 2, 1, 0, 1, 2, 0, 1, 0]


@pytest.mark.parametrize("at", [0.5, 1.0, 4.0, 6.5, 9.0, 12.0])
def test_cumulative_incidence_is_aalen_johansen(at: float) -> None:
    ((est, low, high),) = cumulative_incidence(np.array(TIMES), np.array(OUTCOME), [at])
    assert est == pytest.approx(aalen_johansen(TIMES, OUTCOME, at), abs=0.01)
    assert low <= est <= high


def test_hand_values() -> None:
    # At 4: 1/10 at t=1; S = 0.9; t=3 death: S = 0.9 * 7/8; t=4: + S * 1/7.
    expected = 100 * (0.1 + 0.9 * (7 / 8) * (1 / 7))
    ((est, _, _),) = cumulative_incidence(np.array(TIMES), np.array(OUTCOME), [4.0])
    assert est == pytest.approx(expected, abs=0.01)


def test_competing_deaths_are_not_counted_as_events() -> None:
    ((est, _, _),) = cumulative_incidence(np.array([1.0, 2.0, 3.0]), np.array([2, 2, 1]), [5.0])
    assert est == pytest.approx(100 / 3, abs=0.01)  # 1 - KM would say 100


def test_wilson_interval() -> None:
    # Wilson score interval for 5/10: 23.7% to 76.3% (Newcombe 1998, table I).
    assert proportion(5, 10) == (50.0, 23.7, 76.3)
    assert proportion(0, 0) == (None, None, None)


def test_exact_poisson_interval() -> None:
    # 0 events in 100 person-years: upper 3.69 per 100 (the "rule of 3.69"); 10 events:
    # 4.80 to 18.39 (Garwood's exact limits).
    assert poisson_rate(0, 100.0) == (0.0, 0.0, 3.69)
    assert poisson_rate(10, 100.0) == (10.0, 4.8, 18.39)
