"""The published forms of standard codes: SNOMED CT identifiers (Verhoeff check digit),
LOINC codes (mod-10 check digit), ICD-10-CM codes (pattern). UCUM units are checked by a
UCUM parser in the tests (ucumvert)."""

from __future__ import annotations

import re

__all__ = ["icd10cm_ok", "loinc_check_digit", "loinc_ok", "snomed_ok", "verhoeff_ok"]

# Verhoeff's dihedral-group tables (Verhoeff 1969), as SNOMED CT's identifier guide uses them.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_ok(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Verhoeff check digit."""
    if not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def snomed_ok(sctid: str) -> bool:
    """A SNOMED CT concept identifier: 6-18 digits, no leading zero, a concept partition
    ("00" short or "10" long format, the two digits before the check digit) and a valid
    Verhoeff check digit (SNOMED CT Technical Implementation Guide, 6.7)."""
    return (
        bool(re.fullmatch(r"[1-9][0-9]{5,17}", sctid))
        and sctid[-3:-1] in ("00", "10")
        and verhoeff_ok(sctid)
    )


def loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit of the part before the hyphen (LOINC Users' Guide,
    appendix: the digits in odd positions from the right are doubled, all digits summed)."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
        total += d // 10 + d % 10
    return (10 - total % 10) % 10


def loinc_ok(code: str) -> bool:
    m = re.fullmatch(r"([0-9]{1,7})-([0-9])", code)
    return m is not None and loinc_check_digit(m.group(1)) == int(m.group(2))


# ICD-10-CM: a letter, a digit and a digit or letter make the category; up to four
# characters follow the dot (CMS/NCHS ICD-10-CM Official Guidelines, section I.A).
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


def icd10cm_ok(code: str) -> bool:
    return bool(_ICD10CM.fullmatch(code))
