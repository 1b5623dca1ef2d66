"""Seeded scalar draws for one patient (a ``random.Random`` seeded from the cohort's numpy
Generator), so that every patient's history is reproducible from the cohort seed."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

__all__ = ["Draw"]

T = TypeVar("T")


class Draw:
    """Small, explicit helpers over ``random.Random.random()`` (stable across Pythons)."""

    __slots__ = ("_r",)

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def chance(self, p: float) -> bool:
        return self._r.random() < p

    def integer(self, low: int, high: int) -> int:
        """Uniform integer in [low, high] (both included)."""
        return low + int(self._r.random() * (high - low + 1))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._r.random()

    def normal(self, mean: float, sd: float) -> float:
        # Box-Muller on random(): does not depend on Random.gauss's internals.
        u1 = max(self._r.random(), 1e-12)
        u2 = self._r.random()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def lognormal(self, median: float, log_sd: float) -> float:
        return median * math.exp(self.normal(0.0, log_sd))

    def pick(self, weights: Mapping[str, float]) -> str:
        """A key of ``weights``, with probability proportional to its weight."""
        total = sum(weights.values())
        point = self._r.random() * total
        for key, weight in weights.items():
            point -= weight
            if point < 0:
                return key
        return next(reversed(list(weights)))

    def choice(self, items: Sequence[T]) -> T:
        return items[int(self._r.random() * len(items))]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        """Uniform date in [start, end]; ``start`` when the interval is empty."""
        span = (end - start).days
        return start if span <= 0 else start + dt.timedelta(days=self.integer(0, span))
