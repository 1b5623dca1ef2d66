"""The ``vte-registry`` command line (typer): the application (``application.py``) and its commands,
by what they work on (``submissions.py``, ``exchange.py``, ``center.py``, ``survey.py``).

``main`` is the entry point. It takes Ctrl-C over before anything else is imported, so that
an interrupt at any moment unwinds every block (a load's transaction rolls back, staging
files go) and ends in one line and exit code 130.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

__all__ = ["Interrupted", "app", "main"]

INTERRUPTED = "interrupted: stopped at your request (Ctrl-C)"


class Interrupted(BaseException):
    """Ctrl-C. Not a KeyboardInterrupt, which click turns into "Aborted!" and exit 1."""


def _interrupt(_signum: int, _frame: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the unwinding itself is not interrupted
    raise Interrupted


def main() -> None:
    """Run the command line."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        from registry.cli.commands import main as run

        run()
    except Interrupted:
        sys.stderr.write(INTERRUPTED + "\n")
        raise SystemExit(130) from None


def __getattr__(name: str) -> Any:
    if name == "app":  # the application, with every command registered
        from registry.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
