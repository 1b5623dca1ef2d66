"""The two engines of the rule catalogue give identical findings: its SQL run directly (the
default) and its published Great Expectations suites run through GX (``--engine gx``).

Each rule's literal cases (the rule's own expectations, through GX) and a defect cohort in
which every check finds something (all suites), on SQLite and on DuckDB staging: a GX
release that changes behaviour, or a check whose SQL and GX form drift apart, fails here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from registry.synthetic import synthesize
from registry.validation import staging_engines
from registry.validation.catalogue import checks
from registry.validation.gx_engine import load_suites, run_suites
from registry.validation.rules_engine import run_rules
from registry.validation.validate import stage_submission
from tests.rows import reinventory
from tests.validation.rule_cases import CASES, build

_FIELDS = ("rule", "severity", "category", "table", "row", "record_id", "field", "value", "message")


def _keys(findings: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(f, k) for k in _FIELDS) for f in findings]


def _suites_of(rule: str) -> tuple[dict[str, Any], ...]:
    """The published suites, each with only the expectations of ``rule``."""
    out = []
    for suite in load_suites():
        kept = [e for e in suite["expectations"] if e["meta"]["rule"] == rule]
        if kept:
            out.append({**suite, "expectations": kept})
    return tuple(out)


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r}: {c['name']}" for r, c in CASES])
def test_both_engines_find_the_same_in_each_literal_case(
    rule: str, case: dict[str, Any], tmp_path: Path
) -> None:
    folder = build(case, tmp_path / "s")
    with stage_submission(folder) as staged:
        manifest = staged.manifest is not None
        direct = [f for f in run_rules(staged.url, manifest).findings if f.rule == rule]
        dialect = staged.staging.suffix.lstrip(".")
        through_gx = run_suites(staged.url, dialect, _suites_of(rule), manifest).findings
    assert _keys(direct) == _keys(through_gx)
    assert bool(direct) == bool(case["finds"])  # the case does what it says on both


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 patients with defects, and one patient of another site pasted in (conformant
    in itself: only the site-mismatch check, not conformance, sees it)."""
    folder = synthesize(tmp_path_factory.mktemp("engines") / "s", 2000, seed=23, defects=0.03)
    path = folder.folder / "patients.csv"
    first = path.read_bytes().split(b"\n")[1]  # the file may hold a defect's latin-1 bytes
    site = first.split(b"-", 1)[0]
    pasted = first.replace(site + b"-", b"ZZZ99-").replace(b"," + site + b",", b",ZZZ99,")
    with path.open("ab") as handle:
        handle.write(pasted + b"\n")
    reinventory(folder.folder)
    return folder.folder


@pytest.mark.parametrize("staged_in", ["sqlite", "duckdb"])
def test_both_engines_find_the_same_in_a_defect_cohort(
    staged_in: str, cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threshold = 0 if staged_in == "duckdb" else 10**12
    monkeypatch.setattr(staging_engines, "DUCKDB_MIN_ROWS", threshold)
    with stage_submission(cohort) as staged:
        assert staged.staging.suffix == f".{staged_in}"
        direct = run_rules(staged.url).findings
        through_gx = run_suites(staged.url, staged_in).findings
    assert _keys(direct) == _keys(through_gx)  # same findings, in the same order
    found = Counter(f.rule for f in direct)
    assert {c.rule for c in checks()} - set(found) == set(), "checks the cohort never fires"


@pytest.mark.parametrize("unread", [{"vte_interventions"}, {"patients"}, {"lab_results"}])
def test_both_engines_leave_out_the_same_checks_for_a_table_not_read(
    unread: set[str], cohort: Path
) -> None:
    with stage_submission(cohort) as staged:
        dialect = staged.staging.suffix.lstrip(".")
        direct = run_rules(staged.url, True, frozenset(unread)).findings
        through_gx = run_suites(staged.url, dialect, None, True, frozenset(unread)).findings
        everything = run_rules(staged.url).findings
    assert _keys(direct) == _keys(through_gx)
    assert len(direct) < len(everything)  # something was left out
