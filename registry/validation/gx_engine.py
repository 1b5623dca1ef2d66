"""``--engine gx``: the rule catalogue run as the published Great Expectations suites of
``expectations/``, in an ephemeral context.

The default engine runs the catalogue's SQL directly (``rules_engine.py``); this one runs the
same checks through GX 1.x, as a center would in its own checkpoints, and the tests hold both
to identical findings (``tests/validation/test_engines.py``): a GX release that changes
behaviour fails there. Each suite is stored as JSON; ``meta.batch`` names the table its
``{batch}`` stands for; each expectation's ``meta`` carries its rule ID, severity and Kahn
category. What a row becomes is shared with the default engine (``rule_rows.py``).

The context is ephemeral: no ``gx/`` folder, no Data Docs, so no patient data is copied to
disk, and usage analytics are off.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

from registry.paths import data_dir
from registry.validation.findings import Finding
from registry.validation.gx_duckdb import persist_duckdb_connection
from registry.validation.rule_rows import (
    RuleError,
    needs_manifest,
    render,
    rows_to_findings,
    share_finding,
)
from registry.validation.rules_engine import RuleRun

__all__ = ["SuiteError", "load_suites", "run_suites", "suites_dir"]


class SuiteError(RuleError):
    """An expectation could not run (a broken suite or database): a bug, not a finding."""


def suites_dir() -> Path:
    return data_dir("expectations")


@cache
def load_suites() -> tuple[dict[str, Any], ...]:
    """Every suite in ``expectations/`` as stored (JSON), in name order."""
    out = []
    for path in sorted(suites_dir().glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suite["_file"] = path.name
        out.append(suite)
    return tuple(out)


def _gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # read when GX is imported
    import great_expectations as gx

    return gx


def _context(gx: Any) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


_ROWS = "unexpected_rows_expectation"
# On SQL, GX fetches the rows of a built-in expectation with LIMIT partial_unexpected_count
# (20 by default), even in COMPLETE format: every row is wanted here.
_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_row"],
    "partial_unexpected_count": 2**62,
}


def _builtin_findings(item: Any, table: str) -> list[Finding]:
    """Findings of a GX built-in: every repeat of a key after its first row (uniqueness),
    or one finding for a column too often empty (not-null with ``mostly``), as the rules
    engine words them."""
    config, result = item.expectation_config, item.result
    meta, column = config.meta, config.kwargs["column"]
    if config.type == "expect_column_values_to_be_unique":
        if item.success:
            return []
        rows = sorted(result.get("unexpected_index_list") or [], key=lambda r: r["_row"] or 0)
        if len(rows) != (result.get("unexpected_count") or 0):  # never lose a row silently
            raise SuiteError(
                f"GX listed {len(rows)} of {result.get('unexpected_count')} "
                f"repeated {column} values of {table}"
            )
        first: dict[Any, Any] = {}
        repeats = []
        for row in rows:
            value = row[column]
            if value in first:
                where = first[value]  # None in the registry database: no file rows there
                message = None if where is None else f"also used at row {where}"
                repeats.append(
                    {
                        "tbl": table,
                        "row_no": row["_row"],
                        "record_id": value,
                        "field_name": column,
                        "value_text": value,
                        "message": message,
                    }
                )
            else:
                first[value] = row["_row"]
        return rows_to_findings(
            repeats, meta["rule"], meta["severity"], meta["category"], config.description
        )
    if config.type == "expect_column_values_to_not_be_null":
        found = share_finding(
            meta["rule"],
            meta["severity"],
            meta["category"],
            table,
            column,
            result.get("element_count") or 0,
            result.get("unexpected_count") or 0,
            meta,
        )
        # GX's own verdict, which the shared one must agree with
        if (found is None) != (
            item.success or (result.get("element_count") or 0) < meta["min_rows"]
        ):
            raise SuiteError(f"GX and the rules engine disagree on the completeness of {column}")
        return [] if found is None else [found]
    raise SuiteError(f"no findings are defined for GX expectation {config.type}")


def _exception(item: Any) -> str | None:
    """The error of an expectation that did not run (GX nests it by metric)."""
    info = item.exception_info or {}
    details = (
        [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    )
    for detail in details:
        if detail.get("raised_exception"):
            return str(detail.get("exception_message", "unknown error")).splitlines()[0]
    no_result = (item.result or {}).get("observed_value") is None
    if item.expectation_config.type == _ROWS and not item.success and no_result:
        return "the expectation produced no result"
    return None


def _all_rows(batch: Any, query: str) -> list[dict[str, Any]]:
    """Every row of a failing expectation (a run keeps the first 200)."""
    from great_expectations.metrics.metric_results import MetricErrorResult
    from great_expectations.metrics.query.batch_table import QueryBatchTable

    with contextlib.redirect_stderr(io.StringIO()):  # GX draws a progress bar here regardless
        result = batch.compute_metrics(QueryBatchTable(query=query, fetch_all=True))
    if isinstance(result, MetricErrorResult):
        raise SuiteError(str(result.value.exception_message))
    return list(result.value)


def run_suites(
    connection_string: str,
    dialect: str,
    suites: tuple[dict[str, Any], ...] | None = None,
    with_manifest: bool = True,
    unread: frozenset[str] = frozenset(),
) -> RuleRun:
    """Run the suites against a database holding the (staged) tables; rows become findings.
    The expectations that read a table in ``unread`` are not run (as ``rules_engine``).

    Without a usable manifest (``with_manifest`` false) the expectations that read it are
    not run: one finding about the manifest, not one per record.
    Suites are validated batch by batch (``Batch.validate``): nothing is saved to the
    context's stores, which an ephemeral context would only keep in memory anyway."""
    from registry.validation.staging import DUCKDB_READ_CONFIG

    gx = _gx()
    context = _context(gx)
    if dialect == "sqlite":
        source = context.data_sources.add_sqlite("registry", connection_string=connection_string)
    elif dialect == "duckdb":
        persist_duckdb_connection()  # GX has no DuckDB source; see gx_duckdb
        source = context.data_sources.add_sql(
            "registry",
            connection_string=connection_string,
            kwargs={"connect_args": {"config": DUCKDB_READ_CONFIG}},
        )
    else:
        source = context.data_sources.add_postgres("registry", connection_string=connection_string)
    batches: dict[str, Any] = {}
    run = RuleRun()
    for stored in suites if suites is not None else load_suites():
        started = time.perf_counter()
        batch_table = stored["meta"]["batch"]
        if batch_table not in batches:
            asset = source.add_table_asset(name=batch_table, table_name=batch_table)
            batches[batch_table] = asset.add_batch_definition_whole_table("whole table").get_batch()
        batch = batches[batch_table]
        expectations = []
        for exp in stored["expectations"]:
            if not with_manifest and needs_manifest(exp["kwargs"].get("unexpected_rows_query", "")):
                continue
            if unread & set(exp["meta"].get("needs", ())):  # its findings would be false
                continue
            rendered = json.loads(json.dumps(exp))
            if (query := rendered["kwargs"].get("unexpected_rows_query")) is not None:
                rendered["kwargs"]["unexpected_rows_query"] = render(query, dialect)
            expectations.append(rendered)
        suite = gx.ExpectationSuite(
            name=stored["name"], expectations=expectations, meta=stored.get("meta")
        )
        if len(suite.expectations) != len(expectations):  # GX drops invalid ones silently
            raise SuiteError(
                f"{stored['_file']}: {len(expectations) - len(suite.expectations)} "
                "expectation(s) are not valid GX configurations"
            )
        # _row names the rows a built-in expectation finds (the file's data row)
        result = batch.validate(suite, result_format=_RESULT_FORMAT)
        for item in result.results:
            config = item.expectation_config
            if problem := _exception(item):
                raise SuiteError(f"{stored['_file']}: rule {config.meta.get('rule')}: {problem}")
            run.checks += 1
            if config.type != _ROWS:
                run.findings.extend(_builtin_findings(item, batch_table))
                continue
            if item.success:
                continue
            rows = item.result.get("details", {}).get("unexpected_rows") or []
            if item.result.get("observed_value", 0) > len(rows):  # GX keeps 200: fetch all
                rows = _all_rows(batch, config.kwargs["unexpected_rows_query"])
            meta = config.meta
            run.findings += rows_to_findings(
                [dict(r) for r in rows],
                meta["rule"],
                meta["severity"],
                meta["category"],
                config.description or "",
            )
        run.seconds[stored["name"]] = time.perf_counter() - started
    # GX keeps one connection open for SQLite and DuckDB: let go of the staging file now
    source.get_execution_engine().close()
    return run
