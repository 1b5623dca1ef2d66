"""The application with every command registered (importing the command modules registers
them)."""

from __future__ import annotations

from registry.cli import admin, center, exchange, submissions, survey  # noqa: F401 (they register)
from registry.cli.application import app, main

__all__ = ["app", "main"]
