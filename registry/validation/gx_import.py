"""Importing Great Expectations without the two libraries it never uses here.

GX 1.x imports ``scipy.stats`` and ``altair`` as it is imported, for its distribution
expectations and their charts (``expect_column_kl_divergence_to_be_less_than`` and the
KS-test metrics); the registry's suites use neither. The two took 0.9 s of the 2.6 s the
import takes on the 2-core reference machine (``python -X importtime``), on the critical
path of every validation below about 10,000 patients (issue 11).

``import_gx`` puts a stand-in module under each name for the time of the import only. GX's
modules keep the stand-in, which imports the real module at its first attribute access: code
that does use them works as before, only later. Afterwards the names are free again: any
other ``import scipy.stats`` gets the real module. A module already imported is left alone.

``tests/validation/test_gx_import.py`` fails when a GX release imports them another way
(then the import is slow again, never wrong) and checks that GX's reference still works.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import types
from typing import Any

__all__ = ["DEFERRED", "Deferred", "import_gx"]

#: Imported by GX at import time, used only by expectations the registry's suites do not have.
DEFERRED = ("scipy.stats", "altair")


class Deferred(types.ModuleType):
    """A stand-in that imports the module of its name at its first attribute access."""

    def __getattr__(self, attr: str) -> Any:
        # only attributes a module does not have come here: the first use of the real one
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)


def import_gx() -> Any:
    """``great_expectations``, imported with ``DEFERRED`` left for later."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    standing_in: list[str] = []
    for name in DEFERRED:
        if name not in sys.modules:
            stand_in = Deferred(name)
            # a real spec: the import system reads ``__spec__._initializing`` of a found module
            stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = stand_in
            standing_in.append(name)
    try:
        import great_expectations as gx
    finally:
        for name in standing_in:
            if isinstance(sys.modules.get(name), Deferred):
                del sys.modules[name]
    return gx
