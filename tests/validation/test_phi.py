"""The PHI scan catches the identifiers Faker invents and spares real protocol names."""

from __future__ import annotations

import itertools

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.synthetic.patients import _PROTOCOL_NAMES
from registry.validation.phi import mask, scan_text

KINDS = {
    "person name": lambda f: f"{f.first_name()} {f.last_name()}",
    "MRN-like number": lambda f: f"MRN {f.numerify('########')}",
    "phone number": lambda f: f.numerify("(###) ###-####"),
    "e-mail address": lambda f: f.free_email(),
    "SSN": lambda f: f.ssn(),
    "street address": lambda f: f.street_address(),
    "full date (birth date?)": lambda f: f"DOB {f.date_of_birth().isoformat()}",
}


@pytest.mark.parametrize("kind", list(KINDS))
@given(seed=st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_faker_identifiers_are_caught(kind: str, seed: int) -> None:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    text = KINDS[kind](fake)
    assert kind in scan_text(text), text


@pytest.mark.parametrize("name", sorted({n for names in _PROTOCOL_NAMES.values() for n in names}
                                        | {"AALL0232", "Total XV", "Interfant-06", "COG"}))
def test_protocol_names_are_not_identifiers(name: str) -> None:
    assert scan_text(name) == []


@pytest.mark.parametrize("text", ["John Smith MRN 41234567", "jane.doe@example.org",
                                  "123-45-6789", "1234 Oak Street"])
def test_mask_leaves_nothing_readable(text: str) -> None:
    masked = mask(text)
    assert masked is not None and len(masked) == len(text)
    assert all(not (a.isalnum() and b.isalnum()) for a, b in itertools.pairwise(masked))
