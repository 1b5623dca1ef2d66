"""Great Expectations imported without scipy.stats and altair (registry/validation/gx_import.py).

Each test runs in a fresh interpreter: this one has long imported both."""

from __future__ import annotations

import json
import subprocess
import sys

from registry.validation.gx_import import DEFERRED

_KL = "great_expectations.expectations.core.expect_column_kl_divergence_to_be_less_than"


def _fresh(code: str) -> dict:
    """Run ``code`` (which sets ``out``) in a new interpreter; ``out`` as JSON."""
    program = f"import json, sys\n{code}\nprint(json.dumps(out))"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_gx_is_imported_without_the_deferred_modules() -> None:
    """Fails when a GX release imports them another way: the import is then 0.9 s slower
    (never wrong), and gx_import.py must follow the release or go."""
    out = _fresh(
        "from registry.validation.gx_import import import_gx, Deferred\n"
        "gx = import_gx()\n"
        f"import {_KL} as kl\n"
        "out = {'loaded': [n for n in sys.modules if n in " + repr(DEFERRED) + "],\n"
        "       'stand_ins': [isinstance(kl.stats, Deferred), isinstance(kl.alt, Deferred)],\n"
        "       'gx': hasattr(gx, 'ExpectationSuite')}"
    )
    assert out == {"loaded": [], "stand_ins": [True, True], "gx": True}


def test_a_deferred_module_is_the_real_one_when_used() -> None:
    out = _fresh(
        "from registry.validation.gx_import import import_gx\n"
        "import_gx()\n"
        f"import {_KL} as kl\n"
        "cdf = kl.stats.norm.cdf(0.0)\n"
        "import scipy.stats, altair\n"
        "out = {'cdf': float(cdf), 'same': kl.stats.norm is scipy.stats.norm,\n"
        "       'chart': kl.alt.Chart is altair.Chart,\n"
        "       'real': [type(m).__name__ for m in (scipy.stats, altair)]}"
    )
    assert out == {"cdf": 0.5, "same": True, "chart": True, "real": ["module", "module"]}


def test_a_module_imported_before_is_left_alone() -> None:
    out = _fresh(
        "import scipy.stats\n"
        "from registry.validation.gx_import import import_gx\n"
        "import_gx()\n"
        f"import {_KL} as kl\n"
        "out = {'real': kl.stats is scipy.stats}"
    )
    assert out == {"real": True}
