"""The application with every command registered (importing the command modules registers
them)."""

from __future__ import annotations

from registry.cli import (  # noqa: F401 (they register)
    admin,
    center,
    exchange,
    service,
    submissions,
    survey,
)
from registry.cli.application import app, main

__all__ = ["app", "main"]
