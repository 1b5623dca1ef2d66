"""The ``vte-registry`` command line (typer): the application (``app.py``) and its commands,
by what they work on (``submissions.py``, ``exchange.py``, ``survey.py``)."""

from __future__ import annotations

# Importing the command modules registers their commands on the application.
from registry.cli import exchange, submissions, survey  # noqa: F401
from registry.cli.app import app, main

__all__ = ["app", "main"]
