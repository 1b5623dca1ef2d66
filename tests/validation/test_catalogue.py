"""The rule catalogue: expectations/*.json is generated from it (drift-tested), its SQL is
linted by sqlfluff, and it finds exactly what the hand-written suites of 0.1 found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.validation.catalogue import Check, checks, write_suites
from registry.validation.gx_engine import run_suites, suites_dir
from registry.validation.staging import staging_url
from registry.validation.validate import checked_submission
from tests.conftest import Validated

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "suites_0_1"


def test_committed_suites_are_what_the_catalogue_generates(tmp_path: Path) -> None:
    written = write_suites(tmp_path)
    committed = sorted(p.name for p in suites_dir().glob("*.json"))
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_bytes() == (suites_dir() / path.name).read_bytes(), (
            f"expectations/{path.name} drifted from the catalogue: run "
            "`vte-registry export expectations expectations` and commit"
        )


SQL_CHECKS = checks()


def test_gx_built_ins_do_the_work_where_one_fits() -> None:
    """In the published suites; the rules engine runs each one's generated SQL instead."""
    built_in = {c.rule for c in checks() if c.builtin is not None}
    assert built_in == {"id-unique", "completeness-threshold"}
    assert all(c.sql for c in checks())


@pytest.mark.parametrize("check", SQL_CHECKS, ids=[f"{c.suite}:{c.source}" for c in SQL_CHECKS])
def test_sql_passes_sqlfluff(check: Check) -> None:
    import sqlfluff
    from sqlfluff.core import FluffConfig

    config = FluffConfig.from_path(str(Path(__file__).resolve().parents[2]))  # .sqlfluff
    # as written (DAYS() is rendered per dialect at run time); {batch} is a table
    sql = check.sql.replace("{batch}", "batch_table")
    problems = [
        (v["code"], v["start_line_no"], v["description"])
        for v in sqlfluff.lint(sql + "\n", config=config)
    ]
    assert problems == []


def _legacy() -> tuple[dict, ...]:
    out = []
    for path in sorted(LEGACY.glob("*.json")):
        suite = json.loads(path.read_text())
        suite["_file"] = path.name
        out.append(suite)
    return tuple(out)


@pytest.mark.parametrize("cohort", ["defect_cohort", "clean_cohort"])
def test_same_findings_as_the_hand_written_suites(
    cohort: str, request: pytest.FixtureRequest
) -> None:
    run: Validated = request.getfixturevalue(cohort)
    with checked_submission(run.folder) as checked:
        url = staging_url(checked.staging)
        dialect = checked.staging.suffix.lstrip(".")
        before = run_suites(url, dialect, _legacy())
        after = run_suites(url, dialect)

    # Case report form 1.1 changed or added these rules and added vte_interventions: the
    # hand-written suites implement 1.0, so only the rest must agree finding for finding.
    changed = {
        "ctcae-inconsistent",
        "anti-xa-without-heparin",
        "death-cause-inconsistent",
        "site-catheter-inconsistent",
        "adjustment-direction",
        "anticoagulation-after-major-bleed",
        "pts-too-early",
        # the Plausibility rules, added after 1.1 (before-diagnosis extended to labs)
        "date-outside-reference",
        "before-diagnosis",
        "before-birth",
        "after-last-contact",
        "death-record-inconsistent",
        "growth-implausible",
        "catheter-anatomy-inconsistent",
        "catheter-tip-unusual",
        "event-anatomy-inconsistent",
        "bleeding-site-implausible",
    }

    def same(findings: list) -> list:
        return [f for f in findings if f.rule not in changed and f.table != "vte_interventions"]

    def key(f: object) -> tuple:
        return tuple(
            getattr(f, k)
            for k in ("rule", "table", "row", "record_id", "field", "value", "message")
        )

    assert same(before.findings), "the cohort shows no expectation findings"
    assert sorted(map(key, same(after.findings))) == sorted(map(key, same(before.findings)))


def test_each_threshold_is_declared_once_with_its_rule() -> None:
    """The thresholds are the rule's ``params`` (registry/rules.py): its title reads them,
    its checks' SQL reads them (none declares its own), and none is left unused."""
    from registry.models import patients
    from registry.rules import RULES

    by_rule: dict[str, set[str]] = {}
    for check in checks():
        declared = RULES[check.rule].params
        assert check.params.items() <= dict(declared).items(), check.source
        by_rule.setdefault(check.rule, set()).update(check.params)
    for rule in RULES.values():
        for name, value in rule.params.items():
            if rule.id == "nci-risk-inconsistent":  # a row rule of the patients model
                assert value in {
                    patients.NCI_MIN_AGE_MONTHS,
                    patients.NCI_MAX_AGE_MONTHS,
                    patients.NCI_MAX_WBC,
                }
                continue
            assert name in by_rule.get(rule.id, set()), (rule.id, name, "unused")
        assert "{" not in rule.title, rule.id
    late = RULES["late-enrollment"]
    assert str(late.params["max_days"]) in late.title
    sql = next(c.sql for c in checks() if c.rule == "late-enrollment")
    assert f"> {late.params['max_days']}" in sql


def test_a_sql_file_that_declares_its_own_threshold_is_refused(tmp_path: Path) -> None:
    from registry.validation.catalogue.clinical import SQL_DIR, read_check

    source = (SQL_DIR / "late-enrollment.sql").read_text(encoding="utf-8")
    header, body = source.split("\n\n", 1)
    twice = tmp_path / "late-enrollment.sql"
    twice.write_text(header + "\n-- [params]\n-- max_days = 90\n\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match="thresholds belong to the rule"):
        read_check(twice)
