"""The expectation worker, started at the very start of a command that will validate.

Importing Great Expectations takes seconds; the worker process (``validation/worker.py``)
does it while the submission is read. A command that validates starts the worker here, before
it imports the rest of the package, and the validation takes it over (``take``); one that
is not taken is stopped at exit. Only the standard library is imported here.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["spawn", "start_worker", "take"]

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
_started: subprocess.Popen[bytes] | None = None


def start_worker() -> subprocess.Popen[bytes] | None:
    """A new worker process (None when VTE_REGISTRY_NO_WORKER=1: run in-process)."""
    if os.environ.get("VTE_REGISTRY_NO_WORKER") == "1":
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    return subprocess.Popen(
        [sys.executable, "-m", "registry.validation.worker_main"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def spawn() -> None:
    """Start a worker now, for the first validation of this process to take."""
    global _started
    if _started is None:
        _started = start_worker()
        atexit.register(_discard)


def take() -> subprocess.Popen[bytes] | None:
    """The worker started by ``spawn`` (once), or None."""
    global _started
    proc, _started = _started, None
    return proc


def _discard() -> None:
    proc = take()
    if proc is not None:
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        proc.kill()
        proc.wait()
