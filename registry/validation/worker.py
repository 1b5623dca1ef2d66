"""Stage 2 in a second process, started first (by the command line at its very start:
``registry.prestart``), so that importing Great Expectations (3-8 s) overlaps with reading
and record conformance instead of following them.

The worker is ``python -m registry.validation.worker_main``, talking pickles over its stdin and
stdout: unlike multiprocessing's spawn, it never re-imports the caller's ``__main__`` (so
site scripts need no ``if __name__ == "__main__"`` guard).
"""

from __future__ import annotations

import pickle
import select
import subprocess
from typing import Any, BinaryIO

from registry import prestart
from registry.validation.expectations import (
    Flags,
    SuiteError,
    SuiteRun,
    flag_fields,
    run_suites,
)
from registry.validation.gx_duckdb import warm_up

__all__ = ["SuiteWorker"]


def _stopped(why: str) -> SuiteError:
    return SuiteError(
        f"the expectation worker stopped ({why}); set VTE_REGISTRY_NO_WORKER=1 to run in-process"
    )


class SuiteWorker:
    """``start`` the suites in a worker process and take their ``result`` (in-process if
    VTE_REGISTRY_NO_WORKER=1)."""

    def __init__(self) -> None:
        # the worker a command started at its very start, else a new one
        self._proc: subprocess.Popen[bytes] | None = prestart.take() or prestart.start_worker()
        self._request: tuple[str, str, None, bool, Flags] = ("", "", None, True, frozenset())

    def start(self, connection_string: str, dialect: str, with_manifest: bool = True) -> None:
        """Hand the suites to the worker, which runs them while this process goes on (in
        this process, ``result`` runs them)."""
        # the flags from here: the worker does not import the models
        self._request = (connection_string, dialect, None, with_manifest, flag_fields())
        proc = self._proc
        if proc is None:
            return
        assert proc.stdin is not None
        try:
            pickle.dump(self._request, proc.stdin)
            proc.stdin.close()
        except OSError as exc:
            self.close()
            raise _stopped(str(exc)) from None

    def result(self) -> SuiteRun:
        """The suites' findings (waits for the worker)."""
        proc = self._proc
        if proc is None:
            return run_suites(*self._request)
        try:
            result: SuiteRun = prestart.receive(proc, _stopped)
            return result
        finally:
            self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            prestart.stop(proc)

    def __enter__(self) -> SuiteWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _waiting(requests: BinaryIO) -> bool:
    """True when no request has come yet (the parent is still reading)."""
    try:
        return not select.select([requests], [], [], 0)[0]
    except (OSError, ValueError):  # not a pipe select can watch (Windows, a test's buffer)
        return False


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    from registry.validation.expectations import _gx

    _gx()  # the slow import, while the parent reads the submission
    if _waiting(requests):
        warm_up()  # only when it costs nothing: the parent is still reading
    try:
        request: Any = pickle.load(requests)
    except EOFError:
        return  # the parent did not need us after all
    try:
        reply: Any = run_suites(*request)
    except Exception as exc:  # every failure goes back to the parent
        reply = SuiteError(f"{type(exc).__name__}: {exc}")
    pickle.dump(reply, replies)
    replies.flush()
