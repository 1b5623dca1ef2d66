"""The PHI scan: direct identifiers in free text (rule ``phi-suspected``).

Looks for person names, MRN-like numbers, phone numbers, e-mail addresses, SSNs, street
addresses and full dates (birth dates) in every free-text field and every unknown column.
Name and street-suffix vocabularies come from Faker's en_US data, the same source the
synthetic defects use. Reports never repeat a suspected identifier: ``mask`` it.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping, Sequence
from functools import cache

from registry.validation.findings import Finding, finding

__all__ = ["FREE_TEXT_FIELDS", "mask", "mask_free_text", "phi_findings", "scan_text"]

#: Free-text fields per table (where identifiers could be typed in).
FREE_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "patients": ("protocol_name",),
    "manifest": ("generator",),
    "survey_responses": ("q05_country_other",),
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_PHONE = re.compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\)|\b\d{3})[ .-]?\d{3}[ .-]\d{4}\b")
_MRN = re.compile(r"\b(?:MRN|MR#|MR\s*no\.?|medical\s+record)\b|\b\d{6,}\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:DOB|D\.O\.B\.?|born|birth\s*date)\b"
    r"|\b(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b"
    r"|\b(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)?\d{2}\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.person.en_US import Provider as Person

    first = frozenset(n.lower() for n in (*Person.first_names_female, *Person.first_names_male))
    last = frozenset(n.lower() for n in Person.last_names)
    suffixes = sorted({s for s in Address.street_suffixes} | {"St", "Ave", "Rd", "Blvd", "Ln",
                                                              "Dr", "Ct", "Pl", "Hwy"},
                      key=len, reverse=True)
    street = re.compile(
        r"\b\d{1,6}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:" + "|".join(map(re.escape, suffixes)) + r")\b"
    )
    return first, last, street


def _names(text: str) -> bool:
    first, last, _ = _vocabulary()
    words = _WORD.findall(text)
    for a, b in itertools.pairwise(words):
        if a[0].isupper() and b[0].isupper() and a.lower() in first and b.lower() in last:
            return True
    if m := re.search(r"\b([A-Z][a-z'-]+),\s*([A-Z][a-z'-]+)\b", text):  # Doe, John
        return m.group(1).lower() in last and m.group(2).lower() in first
    return False


def scan_text(text: str | None) -> list[str]:
    """The kinds of identifier ``text`` seems to hold (empty when none)."""
    if not text:
        return []
    kinds = []
    if _EMAIL.search(text):
        kinds.append("e-mail address")
    if _SSN.search(text):
        kinds.append("SSN")
    elif _PHONE.search(text):
        kinds.append("phone number")
    if _MRN.search(text) and "SSN" not in kinds and "phone number" not in kinds:
        kinds.append("MRN-like number")
    if _DATE.search(text):
        kinds.append("full date (birth date?)")
    if _vocabulary()[2].search(text):
        kinds.append("street address")
    if _names(text):
        kinds.append("person name")
    return kinds


def mask(text: str | None) -> str | None:
    """Keep the first character of each word and the layout; star the rest."""
    if text is None:
        return None
    return re.sub(r"(?<=\w)\w", "*", text)


def phi_findings(table: str, columns: Mapping[str, Sequence[str | None]],
                 record_ids: Sequence[str | None] | None = None) -> list[Finding]:
    """``phi-suspected`` findings for ``columns`` (column -> values by data row), values
    masked. ``record_ids`` (by row) also names rows; without it (a manifest) there are none."""
    out = []
    for column, values in columns.items():
        for index, value in enumerate(values):
            if kinds := scan_text(value):
                out.append(finding(
                    "phi-suspected", f"looks like a direct identifier ({', '.join(kinds)}): "
                    "remove it", table=table,
                    row=None if record_ids is None else index + 1,
                    record_id=None if record_ids is None else record_ids[index],
                    field=column, value=mask(value)))
    return out


def mask_free_text(findings: list[Finding],
                   free: set[tuple[str | None, str]]) -> list[Finding]:
    """No finding repeats a free-text value (``(table, field)`` in ``free``) in clear."""
    return [dataclasses.replace(f, value=mask(f.value))
            if (f.table, f.field) in free and f.rule != "phi-suspected" else f
            for f in findings]
