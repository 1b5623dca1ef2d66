"""Words that make a person or a place, in the languages the registry's sites write: person
names, street types and month names, per locale, from Faker's own vocabularies (the same
source the synthetic defects and ``benchmarks/phi.py`` draw identifiers from) and the
languages' calendars.

Locales: en_US, en_GB, en_CA, es_MX, es_ES, fr_FR, fr_CA, pt_BR, de_DE, nl_NL, sv_SE, da_DK.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache

__all__ = ["LOCALES", "Vocabulary", "vocabulary"]

LOCALES = (
    "en_US",
    "en_GB",
    "en_CA",
    "es_MX",
    "es_ES",
    "fr_FR",
    "fr_CA",
    "pt_BR",
    "de_DE",
    "nl_NL",
    "sv_SE",
    "da_DK",
)

#: Words between a first and a last name (Enrique de la Cruz, Ravy da Luz, Tess van Nus,
#: Ludwig von Ahlen, Anne af Klint).
PARTICLES = frozenset(
    (
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "da",
        "das",
        "do",
        "dos",
        "e",
        "van",
        "der",
        "den",
        "ter",
        "te",
        "ten",
        "op",
        "von",
        "zu",
        "du",
        "des",
        "le",
        "af",
        "av",
        "",
    )
)

#: A name right after one of these is an institution's (Hospital Sant Joan de Déu, Hôpital
#: Robert-Debré, Prinses Máxima Centrum): not flagged as a person.
INSTITUTIONS = frozenset(
    (
        "hospital",
        "hôpital",
        "hopital",
        "hospitalet",
        "instituto",
        "institut",
        "institute",
        "klinik",
        "kinderklinik",
        "kinderspital",
        "klinikum",
        "centro",
        "centre",
        "center",
        "centrum",
        "ziekenhuis",
        "sjukhus",
        "sygehus",
        "universitetssjukhus",
        "fundación",
        "fundação",
        "fondation",
        "stiftung",
        "princess",
        "prinses",
        "saint",
        "sainte",
        "san",
        "santa",
        "são",
        "sant",
        "st",
        "st.",
        "",
    )
)

#: Street types written before the name (Spanish, French, Portuguese; Faker's street
#: prefixes and the usual abbreviations), in lower case.
_EXTRA_PREFIXES = (
    "av.",
    "avda.",
    "blvd.",
    "bulevar",
    "c/",
    "calz.",
    "carrera",
    "carretera",
    "col.",
    "colonia",
    "glorieta",
    "paseo",
    "travesía",
    "vía",
    "impasse",
    "allée",
    "place",
    "quai",
    "route",
    "r.",
    "av",
)
#: Street types written as the end of the street's name (German, Dutch, Swedish, Danish:
#: Faker's street suffixes and the common ones it leaves out), in lower case.
_EXTRA_SUFFIXES = (
    "strasse",
    "damm",
    "ufer",
    "chaussee",
    "markt",
    "gracht",
    "kade",
    "plein",
    "straatweg",
    "allén",
    "backen",
    "gången",
    "leden",
    "torv",
    "plads",
    "allé",
    "alle",
)

_MONTHS = {
    "en": "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre ene abr ago dic",
    "fr": "janvier février fevrier mars avril mai juin juillet août aout septembre octobre "
    "novembre décembre decembre janv févr avr juil sept déc",
    "pt": "janeiro fevereiro março marco abril maio junho julho agosto setembro outubro "
    "novembro dezembro fev set out dez",
    "de": "januar jänner februar märz maerz april mai juni juli august september oktober "
    "november dezember okt dez",
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
    "december mrt",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
}
#: Words that announce a birth date, in each language.
_BIRTH = (
    r"DOB|D\.O\.B\.?|born|birth\s{0,3}date|date\s{1,3}of\s{1,3}birth"
    r"|fecha\s{1,3}de\s{1,3}nacimiento|naci[óo]|nacid[oa]|F\.\s?N\.|F\.\s?Nac\.?"
    r"|date\s{1,3}de\s{1,3}naissance|n[ée]e?\s{1,3}le"
    r"|data\s{1,3}de\s{1,3}nascimento|nascid[oa]\s{1,3}em|DN:"
    r"|geboren|geb\.|Geburtsdatum|geboortedatum"
    r"|född|födelsedatum|f[øo]dt|f[øo]dselsdato"
)


@dataclass(frozen=True)
class Vocabulary:
    first: frozenset[str]
    last: frozenset[str]
    street: re.Pattern[str]
    date: re.Pattern[str]


def _provider(kind: str, locale: str) -> type | None:
    try:
        return importlib.import_module(f"faker.providers.{kind}.{locale}").Provider
    except ModuleNotFoundError:
        return None


def _alternation(words: set[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


@cache
def vocabulary() -> Vocabulary:
    first: set[str] = set()
    last: set[str] = set()
    english_suffixes: set[str] = {"St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Pl", "Hwy"}
    prefixes: set[str] = set(_EXTRA_PREFIXES)
    suffixes: set[str] = set(_EXTRA_SUFFIXES)
    for locale in LOCALES:
        person = _provider("person", locale)
        if person is not None:
            for attribute in ("first_names", "first_names_female", "first_names_male"):
                first |= {n.lower() for n in getattr(person, attribute, ())}
            for name in getattr(person, "last_names", ()):
                # van Vliet, da Conceição, Le Goff: the name and each word that is no particle
                last.add(name.lower())
                last.update(w for w in name.lower().split() if w not in PARTICLES)
        address = _provider("address", locale)
        if address is None:
            continue
        if locale.startswith("en"):
            english_suffixes |= set(getattr(address, "street_suffixes", ()))
        elif locale[:2] in ("es", "fr", "pt"):
            prefixes |= {p.lower() for p in getattr(address, "street_prefixes", ())}
        else:
            for attribute in ("street_suffixes", "street_suffixes_short"):
                suffixes |= {s.strip().lower() for s in getattr(address, attribute, ())}
    suffixes.discard("street")
    # 9074 Brittany Cove, 36 Debra Forges: a number, capitalized words, a street suffix
    english = (
        r"\b\d{1,6}[A-Z]?\s{1,3}(?:[A-Z][\w'-]{0,30}\s{1,3}){1,3}(?:"
        + _alternation(english_suffixes)
        + r")\b"
    )
    # Calle Juárez 123, 98, avenue Lucie Fernandes, Rua Gomes, 2: a street type then a
    # capitalized name; with a house number, or a name that is a person's (checked after)
    before = (
        r"(?<![\w/.])(?P<type>"
        + _alternation(prefixes)
        + r")\s{1,3}(?P<rest>(?:(?:de|del|da|do|dos|das|la|le|les|des|du)\s{1,3}){0,2}"
        r"[^\W\d_][\w'.-]{0,30}(?:,?\s{1,3}[^\W\d_][\w'.-]{0,30}){0,6})"
        r"(?P<number>,?\s{0,3}(?:No\.?\s{0,2}|#\s{0,2}|n[.º°]\s{0,2})?\d{1,5}\b)?"
    )
    # Hilmar-Schuster-Platz 1-2, Lindestraat 4, Björkgatan 8, Sorø Allé 932: the type glued
    # to the name, or a word of its own after a name (checked after: capitalized words)
    suffix = "(?:" + _alternation(suffixes) + ")"
    after = (
        r"(?<![\w])(?P<street>[\w.'-]{1,40}?"
        + suffix
        + r"|[^\W\d_][\w.'-]{0,40}\s{1,3}"
        + suffix
        + ")"
        r"\.?\s{1,3}\d{1,5}(?!\d)"
    )
    street = re.compile(f"(?P<en>{english})|(?P<before>{before})|(?P<after>{after})", re.I)
    months = _alternation({m for words in _MONTHS.values() for m in words.split()})
    year = r"(?:19|20)\d{2}"
    day = r"(?:0?[1-9]|[12]\d|3[01])"
    date = re.compile(
        rf"(?<!\w)(?:{_BIRTH})(?!\w)"
        rf"|\b{year}[-/.](?:0?[1-9]|1[0-2])[-/.]{day}\b"
        rf"|\b(?:0?[1-9]|1[0-2])[-/.]{day}[-/.](?:19|20)?\d{{2}}\b"
        rf"|\b{day}[-/.](?:0?[1-9]|1[0-2])[-/.]{year}\b"
        rf"|\b(?:{months})\.?\s{{1,3}}{day}(?:st|nd|rd|th)?,?\s{{1,3}}{year}\b"
        rf"|\b{day}(?:st|nd|rd|th|er|º|°)?\.?\s{{1,3}}(?:(?:of|de)\s{{1,3}})?(?:{months})\.?,?"
        rf"\s{{1,3}}(?:(?:de|del)\s{{1,3}})?{year}\b",
        re.IGNORECASE,
    )
    return Vocabulary(frozenset(first), frozenset(last), street, date)
