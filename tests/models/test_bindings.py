"""Standard-code bindings: complete (bound, or listed as unverified or without counterpart),
and every code in its published form."""

from __future__ import annotations

import pytest

from registry.models.bindings import (
    ANTI_XA_BY_AGENT,
    BINDINGS,
    BOUND,
    BY_UNIT,
    NO_COUNTERPART,
    UNVERIFIED,
    System,
    bindings_of,
)
from registry.models.code_forms import icd10cm_ok, loinc_ok, snomed_ok, verhoeff_ok

ALL = [
    *((b.system, b.code, code) for code, bs in BINDINGS.items() for b in bs),
    *((b.system, b.code, agent) for agent, b in ANTI_XA_BY_AGENT.items()),
    *((b.system, b.code, test) for (test, _), b in BY_UNIT.items()),
]


@pytest.mark.parametrize(
    ("codes", "system"),
    [(codes, system) for codes, systems in BOUND.items() for system in systems],
    ids=lambda v: getattr(v, "__name__", None) or getattr(v, "name", str(v)),
)
def test_every_code_is_bound_or_listed(codes: type, system: System) -> None:
    missing = [
        m.value
        for m in codes
        if m not in NO_COUNTERPART
        and not any(b.system is system for b in bindings_of(m))
        and (m, system) not in UNVERIFIED
    ]
    assert missing == [], f"{codes.__name__}: no {system.name} binding and not listed"


def test_nothing_is_both_bound_and_unverified() -> None:
    both = [(c, s) for (c, s) in UNVERIFIED if any(b.system is s for b in bindings_of(c))]
    assert both == []
    assert not any(bindings_of(c) for c in NO_COUNTERPART)


def test_bindings_use_the_systems_of_their_code_list() -> None:
    for code, bindings in BINDINGS.items():
        for b in bindings:
            assert b.system in BOUND[type(code)], (code, b)
            assert b.source and b.display


@pytest.mark.parametrize(
    ("system", "code"),
    sorted({(s, c) for s, c, _ in ALL if s is System.SNOMED}),
    ids=lambda v: str(v),
)
def test_snomed_ids_have_their_verhoeff_check_digit(system: System, code: str) -> None:
    assert snomed_ok(code)


@pytest.mark.parametrize("code", sorted({c for s, c, _ in ALL if s is System.LOINC}))
def test_loinc_codes_have_their_check_digit(code: str) -> None:
    assert loinc_ok(code)


@pytest.mark.parametrize("code", sorted({c for s, c, _ in ALL if s is System.ICD10CM}))
def test_icd10cm_codes_have_the_pattern(code: str) -> None:
    assert icd10cm_ok(code)


@pytest.mark.parametrize("code", sorted({c for s, c, _ in ALL if s is System.UCUM}))
def test_ucum_units_parse(code: str) -> None:
    from ucumvert import get_ucum_parser

    get_ucum_parser().parse(code)  # raises on a unit outside the UCUM grammar and tables


@pytest.mark.parametrize("code", sorted({c for s, c, _ in ALL if s is System.ATC}))
def test_atc_codes_are_fifth_level_substances(code: str) -> None:
    import re

    assert re.fullmatch(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", code)


# The checks themselves can fail: a wrong check digit, a wrong partition, a wrong form.
@pytest.mark.parametrize(
    ("check", "value", "ok"),
    [
        (snomed_ok, "128053003", True),
        (snomed_ok, "128053004", False),  # check digit
        (snomed_ok, "128053013", False),  # partition "01" is not a concept
        (snomed_ok, "132281000119108", True),  # long format (extension), partition 10
        (verhoeff_ok, "2363", True),  # Verhoeff's worked example: 236 -> 3
        (verhoeff_ok, "2364", False),
        (loinc_ok, "777-3", True),
        (loinc_ok, "777-4", False),
        (loinc_ok, "7773", False),
        (icd10cm_ok, "I82.62", True),
        (icd10cm_ok, "C91.00", True),
        (icd10cm_ok, "I8.62", False),
        (icd10cm_ok, "182.62", False),
        (icd10cm_ok, "I82.62345", False),
    ],
)
def test_code_form_checks(check: object, value: str, ok: bool) -> None:
    assert check(value) is ok


def test_a_bad_ucum_unit_is_refused() -> None:
    from ucumvert import get_ucum_parser

    with pytest.raises(Exception):  # noqa: B017 - the parser's own error type
        get_ucum_parser().parse("units/kg")
