"""Benchmark: `vte-registry report` on registries of 10k and 100k patients (four sites), in
SQLite and PostgreSQL.

    python benchmarks/report.py [--patients 10000 100000] [--runs 3]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Builds each registry once (synth + load, not timed), then prints the median wall time and
peak memory of the report (HTML with every chart, and JSON) over --runs runs, and the
privacy audit's own time within a report (issue 26) with the figures it withheld. Target
(issue 14): 100k patients in PostgreSQL in under a minute, audit included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import cohort, measure, vte_registry
from load import _fresh_schema

SITES = ("BENCH1", "BENCH2", "BENCH3", "BENCH4")


def _registry(exe: str, out: Path, patients: int, url: str) -> None:
    for i, site in enumerate(SITES):
        folder = cohort(
            out / f"report-{patients}" / site, patients // len(SITES), 40 + i, "--site", site
        )
        subprocess.run([exe, "load", str(folder), "--db", url], check=True, capture_output=True)


def _audit(url: str) -> tuple[float, int]:
    """The privacy audit's seconds within one report, and how many figures it withheld."""
    import time

    import registry.report.build as build
    from registry.report.figures import Table
    from registry.report.privacy import Withheld

    spent: list[float] = []
    audit = build.audit

    def timed(tables: list[Table], min_cell: int) -> list[Withheld]:
        started = time.perf_counter()
        try:
            return audit(tables, min_cell)
        finally:
            spent.append(time.perf_counter() - started)

    build.audit = timed
    try:
        report = build.build_center_report(url)
    finally:
        build.audit = audit
    return spent[0], len(report.withheld)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    exe = vte_registry()
    print(f"{'patients':>9} {'database':<11} {'format':<6} {'median s':>9} {'peak MB':>8}")
    for n in args.patients:
        sqlite_file = args.out / f"report-{n}.sqlite"
        sqlite_file.unlink(missing_ok=True)
        databases = {
            "sqlite": f"sqlite:///{sqlite_file}",
            "postgresql": _fresh_schema(args.pg, f"bench_report_{n}"),
        }
        for name, url in databases.items():
            _registry(exe, args.out, n, url)
            for fmt in ("html", "json"):
                target = args.out / f"report-{n}-{name}.{fmt}"
                runs = [
                    measure([exe, "report", "--db", url, "--format", fmt, "--output", str(target)])
                    for _ in range(args.runs)
                ]
                if failed := [r for r in runs if r["exit"] != 0]:
                    sys.exit(f"report failed on {name}: {failed[0]['stderr']}")
                seconds = statistics.median(r["seconds"] for r in runs)
                peak = max(r["peak_mb"] for r in runs)
                print(f"{n:>9,} {name:<11} {fmt:<6} {seconds:>9.1f} {peak:>8.0f}", flush=True)
            audit_seconds, withheld = _audit(url)
            print(
                f"{n:>9,} {name:<11} audit  {audit_seconds:>9.1f}  ({withheld} figures withheld)",
                flush=True,
            )


if __name__ == "__main__":
    main()
