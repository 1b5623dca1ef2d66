"""The PHI scan: direct identifiers in free text (rule ``phi-suspected``).

Looks for person names, MRN-like numbers, phone numbers, e-mail addresses, national
identifiers (SSN, SIN, CURP, RFC, DNI/NIE, NHS, NIR, CPF, Steuer-ID, BSN, personnummer, CPR),
street addresses and full dates (birth dates) in every free-text field and every unknown
column, in the languages the registry's sites write (English, Spanish, French, Portuguese,
German, Dutch, Swedish, Danish). Phone numbers by libphonenumber, national identifiers by
their check digits (python-stdnum) (``phi_numbers``); names, street types and months from
Faker's vocabularies per locale (``phi_vocabulary``), the same source the synthetic defects
and ``benchmarks/phi.py`` draw identifiers from.

Every pattern does bounded work per position (bounded repeats, anchored starts), and a value
longer than ``MAX_SCANNED_CHARS`` is not scanned but reported: so no value, however long
or strange, can make the scan slow. Reports never repeat a suspected identifier: ``mask``
it, wherever it appears (``mask_identifiers``).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping, Sequence

from registry.models.ids import PATIENT_ID_PATTERN, RECORD_ID_PATTERN
from registry.validation.findings import Finding, finding
from registry.validation.phi_numbers import national_ids, phone_numbers, phone_shaped
from registry.validation.phi_vocabulary import INSTITUTIONS, PARTICLES, vocabulary

__all__ = [
    "FREE_TEXT_FIELDS",
    "MAX_SCANNED_CHARS",
    "mask",
    "mask_free_text",
    "mask_identifiers",
    "phi_findings",
    "scan_text",
]

#: Free-text fields per table (where identifiers could be typed in).
FREE_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "patients": ("protocol_name",),
    "manifest": ("generator",),
    "survey_responses": ("q05_country_other",),
}
#: Longer values are not scanned but reported: no free-text field of the format needs more.
MAX_SCANNED_CHARS = 2000

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_SSN = re.compile(r"(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-])")
# +1-555-123-4567x890, (555) 123-4567, +52 55 1234 5678, +27(8)6838738069, 555-1234; a bare
# run of digits is not a phone number here (it is an MRN-like number).
_EXT = r"(?:\s{0,2}(?:x|ext\.?|extension)\s{0,2}\d{1,6})?(?!\w)"
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ .-]?)?"
    r"(?:\(\d{1,4}\)[ .-]?\d{3,4}[ .-]?\d{4}|\d{2,4}[ .-]\d{3,4}[ .-]\d{4}|\d{3,4}[ .-]\d{4})"
    + _EXT
    + r"|(?<![\w+])(?:\+|00)\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4}))?[ .-]?\d{6,12}"
    + _EXT,
    re.IGNORECASE,
)
_MRN = re.compile(
    r"\b(?:MRN|MR#|MR\s{0,3}no\.?|medical\s{1,3}record|expediente|historia\s{1,3}cl[ií]nica"
    r"|NHC)\b"
    r"|(?<![\w-])\d{6,}(?![\w-])"  # a long bare number
    # with letters or dashes: A1234567, AB-1234567, 12-345-6789 (not trial IDs: NCT...)
    r"|(?<![\w-])(?!NCT)[A-Z]{1,3}-?\d{6,10}(?![\w-])"
    r"|(?<![\w-])\d{2,4}-\d{3,4}-\d{3,4}(?![\w-])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'-]{0,40}")
_IDS = re.compile(f"(?:{PATIENT_ID_PATTERN.strip('^$')}|{RECORD_ID_PATTERN.strip('^$')})")


def _known(word: str, names: frozenset[str]) -> bool:
    """A word (or a part of a hyphenated one: Devaux-Dumont, Anouk-Agathe) in ``names``."""
    low = word.lower()
    return low in names or ("-" in low and any(part in names for part in low.split("-")))


def _names(text: str) -> bool:
    vocab = vocabulary()
    # Particles (de la, da, van der, von) sit between a first and a last name; a name right
    # after an institution's word is the institution's (Hospital Sant Joan de Déu).
    words = _WORD.findall(text)
    kept = [(i, w) for i, w in enumerate(words) if w.lower() not in PARTICLES]
    # and as written: a particle can be a whole last name (William Le, Anna Van)
    for (i, a), (_, b) in itertools.chain(
        itertools.pairwise(kept), itertools.pairwise(enumerate(words))
    ):
        if not (a[0].isupper() and b[0].isupper()):
            continue
        if i > 0 and words[i - 1].lower() in INSTITUTIONS:
            continue
        if _known(a, vocab.first) and _known(b, vocab.last):
            return True
    for m in re.finditer(r"\b([^\W\d_][\w'-]{0,40}),\s{0,3}([^\W\d_][\w'-]{0,40})", text):
        a, b = m.group(1), m.group(2)  # Doe, John
        if a[0].isupper() and b[0].isupper() and _known(a, vocab.last) and _known(b, vocab.first):
            return True
    return False


def _street(text: str) -> bool:
    vocab = vocabulary()
    for m in vocab.street.finditer(text):
        if m.group("after") is not None:
            # Sorø Allé 932, Lindestraat 4: capitalized words, not a code (FRALLE 2000) nor a
            # phrase (1 mg/kg alle 12 h)
            words = m.group("street").split()
            if all(w[0].isupper() and not w.isupper() for w in words):
                return True
            continue
        if m.group("before") is None:
            return True
        # a street type before a name: with a house number, or where the name is a person's
        # (Faker's and most real streets are), not any capitalized word (Plaza Mayor)
        if m.group("number") or any(
            _known(w, vocab.first) or _known(w, vocab.last)
            for w in _WORD.findall(m.group("rest"))
            if w[0].isupper()
        ):
            return True
    return False


def scan_text(text: str | None) -> list[str]:
    """The kinds of identifier ``text`` seems to hold (empty when none)."""
    if not text:
        return []
    if len(text) > MAX_SCANNED_CHARS:
        return [f"a value of {len(text):,} characters, too long to check for identifiers"]
    kinds = []
    if _EMAIL.search(text):
        kinds.append("e-mail address")
    kinds += national_ids(text)
    if _SSN.search(text) and "SSN" not in kinds:
        kinds.append("SSN")
    elif not kinds and (_PHONE.search(text) or phone_numbers(text)):
        kinds.append("phone number")
    if (mrn := _MRN.search(text)) and (not kinds or mrn.group(0).isalpha()):
        kinds.append("MRN-like number")
    if not kinds and phone_shaped(text):  # digits grouped as a phone number, not allocated
        kinds.append("phone number")
    if vocabulary().date.search(text):
        kinds.append("full date (birth date?)")
    if _street(text):
        kinds.append("street address")
    if _names(text):
        kinds.append("person name")
    return kinds


def mask(text: str | None) -> str | None:
    """Keep the first character of each word and the layout; star the rest."""
    if text is None:
        return None
    return re.sub(r"(?<=\w)\w", "*", text[:MAX_SCANNED_CHARS])


def phi_findings(
    table: str,
    columns: Mapping[str, Sequence[str | None]],
    record_ids: Sequence[str | None] | None = None,
) -> list[Finding]:
    """``phi-suspected`` findings for ``columns`` (column -> values by data row), values
    masked. ``record_ids`` (by row) also names rows; without it (a manifest) there are none."""
    out = []
    scanned: dict[str | None, list[str]] = {}  # free text repeats (protocol names): scan once
    for column, values in columns.items():
        for index, value in enumerate(values):
            kinds = scanned.get(value)
            if kinds is None:
                kinds = scanned[value] = scan_text(value)
            if kinds:
                too_long = value is not None and len(value) > MAX_SCANNED_CHARS
                out.append(
                    finding(
                        "phi-suspected",
                        f"{kinds[0]}: shorten it (free text is checked for identifiers)"
                        if too_long
                        else f"looks like a direct identifier ({', '.join(kinds)}): remove it",
                        table=table,
                        row=None if record_ids is None else index + 1,
                        record_id=None if record_ids is None else record_ids[index],
                        field=column,
                        value=mask(value),
                    )
                )
    return out


#: Rules whose finding value is not the site's text: phi-suspected masks its own value, and
#: completeness-threshold reports a percentage it computed (not an identifier).
_OWN_VALUES = frozenset({"phi-suspected", "completeness-threshold"})


def mask_free_text(findings: list[Finding], free: set[tuple[str | None, str]]) -> list[Finding]:
    """No finding repeats a free-text value (``(table, field)`` in ``free``) in clear."""
    return [
        dataclasses.replace(f, value=mask(f.value))
        if (f.table, f.field) in free and f.rule not in _OWN_VALUES
        else f
        for f in findings
    ]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _suspect(text: str) -> bool:
    # Well-formed IDs are pseudonyms and calendar dates are kept (a limited data set).
    return not (_IDS.fullmatch(text) or _ISO_DATE.fullmatch(text)) and bool(scan_text(text))


def mask_identifiers(
    findings: list[Finding], own_ids: re.Pattern[str] | None = None, id_field: str | None = None
) -> list[Finding]:
    """Mask what looks like an identifier in any part of a finding, free text or not: an MRN
    typed as a patient ID, a name in a code field or a column header. ``own_ids``: the
    format of the table's own record IDs (``id_field``), which are never masked where they
    name the record (the survey's response IDs, REDCap's record numbers): a value of another
    form there still is."""

    def own(key: str, value: str, f: Finding) -> bool:
        named = key == "record_id" or (key == "value" and f.field == id_field)
        return own_ids is not None and named and own_ids.fullmatch(value) is not None

    out = []
    for f in findings:
        parts = {"value": f.value, "record_id": f.record_id, "field": f.field}
        suspects = {k: v for k, v in parts.items() if v and not own(k, v, f) and _suspect(v)}
        if not suspects:
            out.append(f)
            continue
        message = f.message
        for text in suspects.values():
            message = message.replace(text, mask(text) or "")
        masked = {k: mask(v) for k, v in suspects.items()}
        out.append(
            dataclasses.replace(
                f,
                message=message,
                value=masked.get("value", f.value),
                record_id=masked.get("record_id", f.record_id),
                field=masked.get("field", f.field),
            )
        )
    return out
