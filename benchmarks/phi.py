"""PHI scan: recall on identifiers made by Faker in the registry's twelve locales, written
inside sentences in each language, and false positives on clinical free text in those
languages; Microsoft Presidio's pattern recognizers side by side.

    python benchmarks/phi.py [--n 200] [--seed 1] [--no-presidio]

Prints, per locale and kind, how many of N identifiers the scan flags (target >= 95% each)
and, beside it, how many Presidio's analyzer flags with its pattern recognizers (those that
need no language model: names and street addresses need spaCy's, so Presidio shows "-"
there); then the share of clinical phrases each flags (target <= 1%), and the scan's speed.
Presidio is optional (``pip install -e ".[bench]"``); without it only the scan is measured.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import random
import time
from collections.abc import Callable
from datetime import date

from faker import Faker
from stdnum import luhn
from stdnum.iso7064 import mod_11_10

from registry.validation.phi import scan_text
from registry.validation.phi_numbers import PHONE_REGIONS
from registry.validation.phi_vocabulary import LOCALES

#: The registry's locales, and the regions whose phones Presidio looks for, as the scan does.
_REGIONS = PHONE_REGIONS

#: Month names where Faker's locale has none (its date_time providers give the others).
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    # Faker's da_DK spells December "decembder"
    "da": "januar februar marts april maj juni juli august september oktober november december",
}
_FAKER_MONTHS = {"es": "es_ES", "fr": "fr_FR", "pt": "pt_BR", "de": "de_DE", "nl": "nl_NL"}


def _month_names(language: str) -> list[str]:
    if language in _MONTHS:
        return _MONTHS[language].split()
    module = importlib.import_module(f"faker.providers.date_time.{_FAKER_MONTHS[language]}")
    return [str(v) for v in module.Provider.MONTH_NAMES.values()]


#: A sentence a site would write around an identifier, per language: a note, a contact, a
#: protocol field filled in by mistake.
SENTENCES = {
    "en": ("pt {}", "see {}", "contact: {}", "{} (per chart)", "ref {} - reviewed"),
    "es": ("paciente {}", "ver {}", "contacto: {}", "{} (según historia)", "ref. {} revisado"),
    "fr": ("patient {}", "voir {}", "contact : {}", "{} (selon dossier)", "réf. {} - revu"),
    "pt": ("paciente {}", "ver {}", "contato: {}", "{} (conforme prontuário)", "ref. {} revisto"),
    "de": ("Patient {}", "siehe {}", "Kontakt: {}", "{} (laut Akte)", "Ref. {} - geprüft"),
    "nl": ("patiënt {}", "zie {}", "contact: {}", "{} (volgens dossier)", "ref. {} - gezien"),
    "sv": ("patient {}", "se {}", "kontakt: {}", "{} (enligt journal)", "ref. {} - granskad"),
    "da": ("patient {}", "se {}", "kontakt: {}", "{} (ifølge journal)", "ref. {} - set"),
}
#: How a date of birth is written out in each language (day, month name, year).
_WRITTEN = {
    "en": ("{month} {d}, {y}", "{d} {month} {y}", "{mon} {d}, {y}"),
    "es": ("{d} de {month} de {y}", "{d} {month} {y}"),
    "fr": ("{d} {month} {y}", "le {d} {month} {y}", "né le {d} {month} {y}"),
    "pt": ("{d} de {month} de {y}", "nascido em {d} de {month} de {y}"),
    "de": ("{d}. {month} {y}", "geboren am {d}. {month} {y}"),
    "nl": ("{d} {month} {y}", "geboren {d} {month} {y}"),
    "sv": ("{d} {month} {y}", "född {d} {month} {y}"),
    "da": ("{d}. {month} {y}", "født {d}. {month} {y}"),
}
#: How a date is written in digits in each country.
_NUMERIC = {
    "en_US": ("%m/%d/%Y", "%Y-%m-%d"),
    "en_GB": ("%d/%m/%Y", "%d.%m.%Y"),
    "en_CA": ("%Y-%m-%d", "%d/%m/%Y"),
    "es_MX": ("%d/%m/%Y", "%d-%m-%Y"),
    "es_ES": ("%d/%m/%Y", "%d-%m-%Y"),
    "fr_FR": ("%d/%m/%Y", "%d.%m.%Y"),
    "fr_CA": ("%Y-%m-%d", "%d/%m/%Y"),
    "pt_BR": ("%d/%m/%Y", "%d-%m-%Y"),
    "de_DE": ("%d.%m.%Y", "%Y-%m-%d"),
    "nl_NL": ("%d-%m-%Y", "%d/%m/%Y"),
    "sv_SE": ("%Y-%m-%d", "%d/%m/%Y"),
    "da_DK": ("%d.%m.%Y", "%d-%m-%Y"),
}


def _nhs(rnd: random.Random) -> str:
    """An NHS number: nine digits and the modulus-11 check digit (10 is never issued)."""
    while True:
        digits = [rnd.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            text = "".join(map(str, digits)) + str(check)
            return rnd.choice([text, f"{text[:3]} {text[3:6]} {text[6:]}"])


def _steuer_id(rnd: random.Random) -> str:
    """A German Steuer-ID: ten digits, the first not 0, one digit there twice (or three times)
    and the others once, and the ISO 7064 mod 11,10 check digit."""
    digits = rnd.sample(range(10), 9)
    digits.insert(rnd.randrange(1, 10), digits[rnd.randrange(9)])
    if digits[0] == 0:
        digits[0], digits[1] = digits[1], digits[0]
    body = "".join(map(str, digits))
    text = body + mod_11_10.calc_check_digit(body)
    return rnd.choice([text, f"{text[:2]} {text[2:5]} {text[5:8]} {text[8:]}"])


def _cpr(born: date, rnd: random.Random) -> str:
    """A Danish CPR number: the birth date (DDMMYY) and four digits (no modulus 11 since 2007)."""
    return f"{born:%d%m%y}-{rnd.randint(0, 9999):04d}"


def _sin(rnd: random.Random) -> str:
    body = str(rnd.choice((1, 2, 3, 4, 5, 6, 7, 9))) + "".join(
        str(rnd.randint(0, 9)) for _ in "1234567"
    )
    text = body + luhn.calc_check_digit(body)
    return f"{text[:3]} {text[3:6]} {text[6:]}"


def _national(fake: Faker, locale: str, rnd: random.Random) -> dict[str, Callable[[], str]]:
    """Each locale's national identifiers, as Faker makes them where it makes real ones."""

    def child() -> date:
        return fake.date_of_birth(minimum_age=0, maximum_age=21)

    return {
        "en_US": {"SSN": lambda: rnd.choice([fake.ssn(), fake.ssn().replace("-", " ")])},
        "en_GB": {"NHS number": lambda: _nhs(rnd), "NI number": lambda: fake.ssn()},
        "en_CA": {"SIN": lambda: fake.ssn()},
        "es_MX": {"CURP": lambda: fake.curp(), "RFC": lambda: fake.rfc()},
        "es_ES": {"DNI/NIF": lambda: fake.nif(), "NIE": lambda: fake.nie()},
        "fr_FR": {"NIR": lambda: fake.ssn()},
        "fr_CA": {"SIN": lambda: _sin(rnd)},
        "pt_BR": {"CPF": lambda: rnd.choice([fake.cpf(), fake.ssn()])},
        "de_DE": {"Steuer-ID": lambda: _steuer_id(rnd)},
        "nl_NL": {"BSN": lambda: fake.ssn()},
        "sv_SE": {"personnummer": lambda: fake.ssn()},
        "da_DK": {"CPR": lambda: _cpr(child(), rnd)},
    }[locale]


def kinds(fake: Faker, locale: str, rnd: random.Random) -> dict[str, Callable[[], str]]:
    """The identifiers of one locale, by kind."""
    language = locale[:2]
    months = _month_names(language)

    def written_date() -> str:
        born = fake.date_of_birth(minimum_age=0, maximum_age=21)
        month = months[born.month - 1]
        if rnd.random() < 0.5:
            month = month.lower() if language != "de" else month
        form = rnd.choice(_WRITTEN[language])
        return form.format(d=born.day, month=month, mon=month[:3], y=born.year)

    def numeric_date() -> str:
        born = fake.date_of_birth(minimum_age=0, maximum_age=21)
        return born.strftime(rnd.choice(_NUMERIC[locale]))

    def mrn() -> str:
        return rnd.choice(
            [
                fake.numerify("########"),
                fake.bothify("??-#######").upper(),
                fake.bothify("?########").upper(),
                fake.numerify("###-###-###"),
                f"MRN {fake.numerify('######')}",
            ]
        )

    return {
        "name": fake.name,
        "street address": fake.street_address,
        "phone": fake.phone_number,
        "e-mail": fake.email,
        **_national(fake, locale, rnd),
        "written date": written_date,
        "numeric date": numeric_date,
        "MRN": mrn,
    }


#: Free text a site could type in protocol_name or an unknown column: protocol and trial
#: names, registry numbers, dosing and lab notes, in English and Spanish.
CLINICAL = [
    "AALL1731",
    "AALL1732",
    "AALL0932",
    "AALL0434",
    "AALL08B1",
    "AALL1131",
    "AALL1631",
    "COG AALL1731",
    "DFCI 16-001",
    "DFCI 11-001",
    "St. Jude Total XVI",
    "Total XVII",
    "Total Therapy XV",
    "UKALL 2011",
    "UKALL2003",
    "NOPHO ALL2008",
    "ALLTogether1",
    "AIEOP-BFM ALL 2009",
    "AIEOP-BFM ALL 2017",
    "ALL IC-BFM 2002",
    "ALL-BFM 2000",
    "COALL 08-09",
    "EsPhALL2017/COG AALL1631",
    "Interfant-06",
    "Interfant-21",
    "PETHEMA LAL-RI/08",
    "LAL-SEHOP PETHEMA 2013",
    "SEHOP-PETHEMA 2013",
    "GRAALL-2014",
    "JPLSG ALL-B12",
    "CCCG-ALL-2015",
    "MS-ALL 2016",
    "CoALL 07-03",
    "NCT03914625",
    "NCT02883049",
    "NCT03020030",
    "EudraCT 2007-004270-43",
    "ISRCTN12345678",
    "THROMBOTECT",
    "Kids-DOTT",
    "EINSTEIN-Jr",
    "DIVERSITY",
    "PREVAPIX-ALL",
    "enoxaparin 1 mg/kg q12h",
    "enoxaparina 1 mg/kg cada 12 h",
    "anti-Xa 0.5-1.0 U/mL",
    "Hb 10.2 g/dL",
    "plaquetas > 50 x10^9/L",
    "platelets < 20 x10^9/L hold",
    "fibrinogen 1.2 g/L",
    "pegaspargase 2500 IU/m2",
    "PEG-asparaginasa 2500 UI/m2",
    "Erwinia 25000 IU/m2",
    "Rylaze 25 mg/m2",
    "dexamethasone 6 mg/m2/day",
    "prednisona 60 mg/m2/d",
    "Day 8 of induction",
    "día 15 inducción",
    "IM 1 week 3",
    "DI phase 2",
    "catheter tip at cavoatrial junction",
    "PICC left basilic",
    "port right IJ",
    "CVL removed 2 weeks",
    "Hickman 10 Fr double lumen",
    "Broviac",
    "Port-a-Cath 6.6 Fr",
    "Hospital Infantil de México",
    "Hospital Niño Jesús",
    "Hospital Sant Joan de Déu",
    "Children's Hospital",
    "Institute of Pediatrics",
    "versión 2.1 del protocolo",
    "amendment 3",
    "protocol v4.0 (2019)",
    "Arm B",
    "Rama C",
    "standard risk",
    "riesgo intermedio",
    "high risk arm",
    "MRD < 0.01%",
    "EMR negativa día 33",
    "Down syndrome cohort",
    "B-ALL, CNS1",
    "T-ALL, mediastinal mass 10 cm",
    "LLA-B riesgo alto",
    "t(12;21)",
    "iAMP21",
    "BCR-ABL1 positive",
    "KMT2A-r infant",
    "trial closed 2021",
    "registro 2023",
    "ALL-MB 2015",
    "DCOG ALL-11",
    "EORTC 58081",
    "NHL-BFM 2012",
    "IntReALL SR 2010",
    "IntReALL HR 2010",
    "TEXT 5 mg/kg",
    "Q2W x 4",
    "follow-up 24 months",
    "seguimiento 2 años",
    "grade 3",
    "CTCAE v5",
    "ISTH SSC 2011",
    "Ponte di Legno",
    "PTWG 2016",
    "Manco-Johnson score 4",
    "PTS scale 2",
    "MJMI 3",
]


#: The same in the other languages of the registry's sites: protocols, dosing, catheters,
#: hospitals (some named after people), follow-up.
CLINICAL += [
    "CAALL-F01",
    "protocole CAALL F01",
    "FRALLE 2000",
    "EORTC 58951",
    "énoxaparine 1 mg/kg toutes les 12 h",
    "anti-Xa 0,5-1,0 UI/mL",
    "plaquettes < 50 G/L",
    "fibrinogène 1,2 g/L",
    "jour 15 de l'induction",
    "induction J8",
    "risque standard",
    "bras B",
    "cathéter central tunnélisé",
    "chambre implantable droite",
    "thrombose veineuse cérébrale",
    "héparine non fractionnée",
    "Hôpital Robert-Debré",
    "Hôpital Necker-Enfants malades",
    "CHU Sainte-Justine",
    "Institut Gustave Roussy",
    "version 3 du protocole",
    "amendement 2",
    "suivi 24 mois",
    "MRD < 0,01 %",
    "syndrome de Down",
    "GBTLI LLA-2009",
    "protocolo GBTLI 2009",
    "enoxaparina 1 mg/kg de 12/12 h",
    "plaquetas < 50.000/mm3",
    "indução dia 15",
    "risco intermediário",
    "cateter totalmente implantável",
    "trombose venosa profunda",
    "heparina não fracionada",
    "Hospital de Clínicas de Porto Alegre",
    "Instituto Nacional de Câncer",
    "Hospital Pequeno Príncipe",
    "Hospital Infantil Sabará",
    "seguimento 2 anos",
    "DRM < 0,01%",
    "síndrome de Down",
    "versão 2 do protocolo",
    "braço B",
    "fibrinogênio 1,2 g/L",
    "Enoxaparin 1 mg/kg alle 12 h",
    "Thrombozyten < 50/nl",
    "Protokoll AIEOP-BFM ALL 2017",
    "Induktion Tag 8",
    "Protokoll I",
    "Protokoll M",
    "Hochrisiko-Arm",
    "Standardrisiko",
    "Port rechts",
    "zentraler Venenkatheter",
    "Sinusvenenthrombose",
    "unfraktioniertes Heparin",
    "Fibrinogen 1,2 g/l",
    "Universitätsklinikum Schleswig-Holstein",
    "Dr. von Haunersches Kinderspital",
    "Olgahospital Stuttgart",
    "Nachsorge 24 Monate",
    "Down-Syndrom",
    "Version 2.1 des Protokolls",
    "enoxaparine 1 mg/kg elke 12 uur",
    "trombocyten < 50 x10^9/l",
    "DCOG ALL-11 protocol",
    "inductie dag 8",
    "standaard risico",
    "centraal veneuze katheter",
    "veneuze trombose",
    "ongefractioneerde heparine",
    "Prinses Máxima Centrum",
    "Emma Kinderziekenhuis",
    "Wilhelmina Kinderziekenhuis",
    "follow-up 24 maanden",
    "syndroom van Down",
    "versie 2 van het protocol",
    "enoxaparin 1 mg/kg var 12:e timme",
    "trombocyter < 50 x10^9/L",
    "NOPHO ALL2008 protokoll",
    "induktion dag 15",
    "standardrisk",
    "central venkateter",
    "venös tromboembolism",
    "ofraktionerat heparin",
    "Astrid Lindgrens barnsjukhus",
    "Drottning Silvias barnsjukhus",
    "Akademiska barnsjukhuset",
    "uppföljning 24 månader",
    "Downs syndrom",
    "enoxaparin 1 mg/kg hver 12. time",
    "trombocytter < 50 x10^9/l",
    "ALLTogether1 protokol",
    "induktion dag 8",
    "standardrisiko",
    "centralt venekateter",
    "venøs trombose",
    "ufraktioneret heparin",
    "Rigshospitalet",
    "Aarhus Universitetshospital",
    "H.C. Andersen Børnehospital",
    "opfølgning 24 måneder",
    "version 2 af protokollen",
    "Alder Hey Children's Hospital",
    "Great Ormond Street Hospital",
    "St. Jude Children's Research Hospital",
    "Lurie Children's",
    "Dana-Farber Cancer Institute",
    "Hospital for Sick Children",
]


def _presidio() -> Callable[[str], bool] | None:
    """Presidio's analyzer with its pattern recognizers only (no NLP engine): the ones that
    find e-mails, phones (libphonenumber, for the same regions), dates and the national
    identifiers it knows; every recognizer applied whatever its language."""
    try:
        from presidio_analyzer import predefined_recognizers as recognizers
        from presidio_analyzer.predefined_recognizers import PhoneRecognizer
    except ImportError:
        return None
    # its e-mail recognizer asks the network for the public suffix list, then uses its copy
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    found = []
    for name in dir(recognizers):
        cls = getattr(recognizers, name)
        if not isinstance(cls, type) or name == "PhoneRecognizer":
            continue
        if not hasattr(cls, "PATTERNS") or getattr(cls, "PATTERNS", None) is None:
            continue
        try:
            found.append(cls())
        except Exception:
            continue
    found.append(PhoneRecognizer(supported_regions=_REGIONS))

    def analyze(text: str) -> bool:
        for recognizer in found:
            results = recognizer.analyze(text, recognizer.supported_entities, None)
            if any(r.score >= 0.3 for r in results or ()):
                return True
        return False

    return analyze


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    presidio = None if args.no_presidio else _presidio()
    no_model = {"name", "street address"}  # Presidio finds these with a spaCy model only
    worst, worst_presidio = 1.0, 1.0
    scanned, seconds = 0, 0.0
    print(f"{'locale':6} {'kind':15} {'scan':>9} {'recall':>7}   {'Presidio':>8}")
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(args.seed)
        rnd = random.Random(f"{args.seed}{locale}")
        sentences = SENTENCES[locale[:2]]
        for kind, make in kinds(fake, locale, rnd).items():
            hits, theirs = 0, 0
            missed: list[str] = []
            for _ in range(args.n):
                text = rnd.choice(sentences).format(make())
                started = time.perf_counter()
                flagged = bool(scan_text(text))
                seconds += time.perf_counter() - started
                scanned += 1
                hits += flagged
                if not flagged and len(missed) < 3:
                    missed.append(text)
                if presidio is not None and kind not in no_model:
                    theirs += presidio(text)
            recall = hits / args.n
            worst = min(worst, recall)
            other = "-"
            if presidio is not None and kind not in no_model:
                worst_presidio = min(worst_presidio, theirs / args.n)
                other = f"{theirs / args.n:.1%}"
            mark = "ok" if recall >= 0.95 else "BELOW TARGET"
            print(
                f"{locale:6} {kind:15} {hits:>4}/{args.n} {recall:>7.1%}   {other:>8}  {mark}"
                + (f"  missed e.g. {missed}" if missed else "")
            )
    false = [text for text in CLINICAL if scan_text(text)]
    share = len(false) / len(CLINICAL)
    print(f"lowest recall: scan {worst:.1%} (target >= 95%)", end="")
    print(f", Presidio {worst_presidio:.1%} (kinds it finds without a model)" if presidio else "")
    print(
        f"false positives: {len(false)}/{len(CLINICAL)} clinical phrases = {share:.1%} "
        f"(target <= 1%){'' if not false else f': {false}'}"
    )
    if presidio is not None:
        theirs = [text for text in CLINICAL if presidio(text)]
        print(
            f"Presidio false positives: {len(theirs)}/{len(CLINICAL)} = "
            f"{len(theirs) / len(CLINICAL):.1%}: {theirs[:8]}"
        )
    print(f"scan speed: {scanned / seconds:,.0f} values/s ({scanned:,} values)")


if __name__ == "__main__":
    main()
