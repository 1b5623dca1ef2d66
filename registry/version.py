"""Package and schema versions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["READABLE_SCHEMA_VERSIONS", "SCHEMA_VERSION", "__version__"]

#: Version of the registry specification the models implement (shared/spec/registry.md),
#: written into every manifest this package makes.
SCHEMA_VERSION = "1.1"
#: Versions still read ("Changes in 1.1": a 1.0 manifest has no table inventory).
READABLE_SCHEMA_VERSIONS = ("1.0", "1.1")

try:
    __version__ = version("all-vte-registry")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
