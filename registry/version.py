"""Package and schema versions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["SCHEMA_VERSION", "__version__"]

#: Version of the registry specification the models implement (shared/spec/registry.md).
SCHEMA_VERSION = "1.0"

try:
    __version__ = version("all-vte-registry")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
