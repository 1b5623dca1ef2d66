"""Numbers that identify a person, in the countries the registry's sites are in: phone numbers
(libphonenumber, by way of ``phonenumbers``) and national identifiers recognized by their
format and checked by their check digits (``python-stdnum``).

The regions are those of the registry's protocols (COG, DFCI, St. Jude, BFM, NOPHO, UKALL,
LAL-SEHOP/PETHEMA, GBTLI): North and Latin America and Europe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

__all__ = ["PHONE_REGIONS", "national_ids", "phone_numbers", "phone_shaped"]

#: Regions whose numbers are looked for (ISO 3166 alpha-2, as libphonenumber names them).
PHONE_REGIONS = ("US", "CA", "GB", "MX", "ES", "FR", "BR", "DE", "NL", "SE", "DK")
_DIGITS = re.compile(r"\d")
#: Fewer digits than this cannot be a phone number of these regions (Danish numbers: 8).
_MIN_PHONE_DIGITS = 7


def phone_numbers(text: str) -> bool:
    """Whether ``text`` holds a valid phone number of one of the regions, written as people
    write them (+ country code or not, spaces, dots, dashes, brackets, extensions)."""
    if len(_DIGITS.findall(text)) < _MIN_PHONE_DIGITS:
        return False
    import phonenumbers

    for region in PHONE_REGIONS:
        for _ in phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID):
            return True
    return False


#: Digits grouped as phone numbers are written, whether or not the number is allocated (a
#: made-up or mistyped number is still a number of a person): groups of up to six digits
#: split by spaces, dots, dashes or brackets.
_PHONE_SHAPE = re.compile(
    r"(?<![\w+.,/-])(?P<lead>\+\s?)?\(?\d{1,6}\)?"
    r"(?:(?:[ .-]{1,2}|(?<=\))|(?=\())\(?\d{1,6}\)?){1,6}(?!\w|[.,/-]\d)"
)
#: EudraCT trial numbers (YYYY-NNNNNN-CC) share the shape (EMA, EudraCT user manual).
_EUDRACT = re.compile(r"(?:19|20)\d{2}-\d{6}-\d{2}")
#: ITU-T E.164: at most 15 digits; fewer than 8 are codes, doses and years here.
_SHAPE_DIGITS = range(8, 16)


def phone_shaped(text: str) -> bool:
    """Whether ``text`` holds digits grouped as a phone number: 8 to 15 digits, written with
    a + or a leading 0 (trunk prefix) or in three groups or more (83 58 06 96)."""
    for match in _PHONE_SHAPE.finditer(text):
        written = match.group(0)
        if _EUDRACT.fullmatch(written):
            continue
        groups = re.findall(r"\d+", written)
        if len("".join(groups)) not in _SHAPE_DIGITS:
            continue
        if match.group("lead") or written.lstrip("(").startswith("0") or len(groups) >= 3:
            return True
    return False


def _stdnum(module: str) -> Callable[[str], bool]:
    import importlib

    checker = importlib.import_module(f"stdnum.{module}")
    return checker.is_valid


# (name, pattern, validator module or None): a pattern whose shape alone identifies (a CURP,
# an RFC, a NIE, a British National Insurance number) needs no check; a run of digits does,
# since many short codes share its shape. Sources: the formats of python-stdnum's modules.
_ID_FORMATS: tuple[tuple[str, str, str | None], ...] = (
    ("CURP", r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d", None),
    ("RFC", r"[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}", "mx.rfc"),
    ("NIE", r"[XYZ][- ]?\d{7}[- ]?[A-Z]", None),
    ("DNI/NIF", r"\d{8}[- ]?[A-Z]", "es.dni"),
    ("National Insurance number", r"[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Z]?", None),
    ("NHS number", r"\d{3}[ -]?\d{3}[ -]?\d{4}", "gb.nhs"),
    ("NIR (INSEE)", r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", "fr.nir"),
    ("CPF", r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", "br.cpf"),
    ("Steuer-ID", r"\d{2} ?\d{3} ?\d{3} ?\d{3}", "de.idnr"),
    ("BSN", r"\d{4}\.?\d{2}\.?\d{3}|\d{9}", "nl.bsn"),
    ("personnummer", r"(?:\d{2})?\d{6}[-+]?\d{4}", "se.personnummer"),
    ("CPR", r"\d{6}-?\d{4}", "dk.cpr"),
    ("SIN", r"\d{3}[ -]?\d{3}[ -]?\d{3}", "ca.sin"),
    ("SSN", r"\d{3}[- ]?\d{2}[- ]?\d{4}", "us.ssn"),
)


@cache
def _formats() -> tuple[tuple[str, re.Pattern[str], Callable[[str], bool] | None], ...]:
    return tuple(
        (
            name,
            re.compile(rf"(?<![\w.+-]){pattern}(?![\w]|[.-]\d)", re.IGNORECASE),
            _stdnum(module) if module else None,
        )
        for name, pattern, module in _ID_FORMATS
    )


def national_ids(text: str) -> list[str]:
    """The kinds of national identifier ``text`` holds (empty when none)."""
    found = []
    for name, pattern, valid in _formats():
        for match in pattern.finditer(text):
            candidate = match.group(0).strip()
            if name in ("CURP", "RFC", "NIE", "National Insurance number") and not any(
                c.isupper() for c in candidate
            ):
                continue  # these are written in capitals: a lower-case word is not one
            if valid is None or valid(candidate):
                found.append(name)
                break
    return found
