"""The expectation worker, started at the very start of a command that will validate.

Importing Great Expectations takes seconds; the worker process (``validation/worker.py``)
does it while the submission is read. A command that validates starts the worker here, before
it imports the rest of the package, and the validation takes it over (``take``); one that
is not taken is stopped at exit. Only the standard library is imported here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["launch", "receive", "spawn", "start_worker", "stop", "take"]

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
_started: subprocess.Popen[bytes] | None = None


def launch(module: str, *args: str, bufsize: int = -1) -> subprocess.Popen[bytes]:
    """``python -m module args`` talking over pipes, with this package on its path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=bufsize,
        env=env,
    )


def receive(proc: subprocess.Popen[bytes], stopped: Callable[[str], Exception]) -> Any:
    """A launched process's next pickled reply; a reply that is an exception is raised as
    itself, and ``stopped(why)`` when there is no reply (the process died)."""
    assert proc.stdout is not None
    try:
        reply = pickle.load(proc.stdout)
    except (EOFError, OSError, pickle.UnpicklingError) as exc:
        raise stopped(str(exc) or "no reply") from None
    if isinstance(reply, BaseException):
        raise reply
    return reply


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Close a launched process's pipes (its cue to end) and wait for it, briefly."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None and not stream.closed:
            # a process that died: what was left unsent goes nowhere
            with contextlib.suppress(OSError):
                stream.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_worker() -> subprocess.Popen[bytes] | None:
    """A new worker process (None when VTE_REGISTRY_NO_WORKER=1: run in-process)."""
    if os.environ.get("VTE_REGISTRY_NO_WORKER") == "1":
        return None
    return launch("registry.validation.worker_main")


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
        proc.kill()  # not taken: its import need not finish
        stop(proc)
