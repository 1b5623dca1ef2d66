"""The ``vte-registry`` command line (typer): the application (``app.py``) and its commands,
by what they work on (``submissions.py``, ``exchange.py``, ``survey.py``)."""

from __future__ import annotations

import sys

from registry import prestart

# A command that validates starts the expectation worker before anything else is imported
# (Great Expectations' import then overlaps with ours and with reading the submission).
if len(sys.argv) > 1 and sys.argv[1] in ("validate", "load", "demo") and "--help" not in sys.argv:
    prestart.spawn()

# Importing the command modules registers their commands on the application.
from registry.cli import center, exchange, submissions, survey  # noqa: F401
from registry.cli.app import app, main

__all__ = ["app", "main"]
