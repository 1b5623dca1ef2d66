"""Identifier formats and the site-side pseudonymization of MRNs (spec: Identifiers).

A site derives ``patient_id`` from its MRN with a keyed hash (HMAC-SHA256) under a secret
that never leaves the site. The MRN is neither stored nor returned.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = [
    "ID_ALPHABET",
    "PATIENT_ID_PATTERN",
    "RECORD_ID_PATTERN",
    "SITE_ID_PATTERN",
    "patient_id_of",
    "pseudonymize",
    "record_id",
    "site_of",
]

#: 34 symbols: digits and upper-case letters without I and O (easily misread as 1 and 0).
ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE = "[0-9A-HJ-NP-Z]"

SITE_ID_PATTERN = r"^[A-Z0-9]{3,8}$"
PATIENT_ID_PATTERN = rf"^[A-Z0-9]{{3,8}}-{_CODE}{{8}}$"
#: Any record ID: ``<patient_id>-<table prefix><n>``, n = 1, 2, ...
RECORD_ID_PATTERN = rf"^[A-Z0-9]{{3,8}}-{_CODE}{{8}}-[A-Z][1-9][0-9]*$"

_SITE_RE = re.compile(SITE_ID_PATTERN)
_MIN_SECRET_BYTES = 16


def pseudonymize(mrn: str, site_id: str, secret: str | bytes) -> str:
    """Return the registry ``patient_id`` for a medical record number.

    Deterministic for the same (mrn, site_id, secret); without the secret it cannot be
    reversed or recomputed. Surrounding whitespace of the MRN is ignored, nothing else is
    normalised (leading zeros are significant in many MRN systems).

    >>> pseudonymize("00123456", "NYC01", "a-site-secret-of-32-bytes-or-more")
    'NYC01-...'  # doctest: +SKIP
    """
    if not _SITE_RE.match(site_id):
        raise ValueError(f"site_id {site_id!r} is not 3-8 upper-case letters or digits")
    mrn = mrn.strip()
    if not mrn:
        raise ValueError("mrn is empty")
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < _MIN_SECRET_BYTES:
        raise ValueError(f"the site secret must be at least {_MIN_SECRET_BYTES} bytes")
    digest = hmac.new(key, f"{site_id}\x1f{mrn}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[index])
    return f"{site_id}-{''.join(chars)}"


def record_id(patient_id: str, prefix: str, n: int) -> str:
    """The ID of the n-th record (1-based) of a table with ``prefix`` for a patient."""
    if n < 1:
        raise ValueError("record numbers start at 1")
    return f"{patient_id}-{prefix}{n}"


def site_of(any_id: str) -> str:
    """The site part of a patient or record ID (text before the first hyphen)."""
    return any_id.split("-", 1)[0]


def patient_id_of(any_record_id: str) -> str:
    """The patient part of a record ID: ``NYC01-7F3K9Q2M-V1`` -> ``NYC01-7F3K9Q2M``."""
    return any_record_id.rsplit("-", 1)[0]
