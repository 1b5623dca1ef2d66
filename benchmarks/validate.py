"""Benchmark: `vte-registry validate` beside frictionless-py and a plain pandas read of the
same files, on 1k, 10k and 100k-patient cohorts; optionally `vte-registry load` beside it.

    python benchmarks/validate.py [--sizes 1000 10000 100000] [--runs 5] [--load]

Runs are paired (validate, frictionless, pandas, [load] one after another, then again), and
the medians are printed with the peak memory of the whole process tree. Targets (issue 23):
at least 1.5x faster than frictionless-py at 1k, 4x at 10k, 8x at 100k in at most 1 GB;
load no more than 1.3x validate at 100k.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import cohort, measure, vte_registry

FRICTIONLESS = """
import sys, frictionless
report = frictionless.validate(sys.argv[1])
print(report.stats["errors"])
"""
PANDAS = """
import sys, pathlib, pandas
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.csv")):
    pandas.read_csv(path, dtype=str, keep_default_na=False)
"""


def _median(results: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in results), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    parser.add_argument("--no-frictionless", action="store_true")
    parser.add_argument("--load", action="store_true", help="also time `load` into SQLite")
    args = parser.parse_args()
    exe = vte_registry()
    package = Path(__file__).resolve().parents[1] / "schemas" / "datapackage.json"
    header = (
        f"{'patients':>9} {'records':>10} {'validate s':>10} {'peak MB':>8} "
        f"{'frictionless s':>14} {'peak MB':>8} {'x faster':>8} {'pandas s':>8}"
    )
    loads = f" {'load s':>7} {'peak MB':>8} {'load/val':>8}"
    print(header + (loads if args.load else ""), flush=True)
    for n in args.sizes:
        folder = cohort(args.out / f"validate-{n}", n, 1)
        records = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in folder.glob("*.csv"))
        # frictionless reads the files beside its descriptor: a copy, not the submission
        friction_dir = args.out / f"frictionless-{n}"
        if not args.no_frictionless and not friction_dir.exists():
            shutil.copytree(folder, friction_dir)
            shutil.copy(package, friction_dir / "datapackage.json")
        runs: dict[str, list[dict[str, float]]] = {"v": [], "f": [], "p": [], "l": []}
        for _ in range(args.runs):
            report = args.out / f"report-{n}.json"
            result = measure([exe, "validate", str(folder), "--format", "json", "-o", str(report)])
            if result["exit"] not in (0, 1):
                sys.exit(f"validate failed: {result['stderr']}")
            runs["v"].append(result)
            if not args.no_frictionless:
                runs["f"].append(
                    measure(
                        [sys.executable, "-c", FRICTIONLESS, str(friction_dir / "datapackage.json")]
                    )
                )
            runs["p"].append(measure([sys.executable, "-c", PANDAS, str(folder)]))
            if args.load:
                with tempfile.TemporaryDirectory() as tmp:
                    db = f"sqlite:///{tmp}/registry.sqlite"
                    loaded = measure([exe, "load", str(folder), "--db", db])
                    if loaded["exit"] != 0:
                        sys.exit(f"load failed: {loaded['stderr']}")
                    runs["l"].append(loaded)
        validate_s = _median(runs["v"], "seconds")
        if runs["f"]:
            friction_s = _median(runs["f"], "seconds")
            friction = f"{friction_s:>14} {_median(runs['f'], 'peak_mb'):>8.0f} "
            friction += f"{friction_s / validate_s:>8.1f}"
        else:
            friction = f"{'-':>14} {'-':>8} {'-':>8}"
        line = (
            f"{n:>9} {records:>10} {validate_s:>10} {_median(runs['v'], 'peak_mb'):>8.0f} "
            f"{friction} {_median(runs['p'], 'seconds'):>8}"
        )
        if runs["l"]:
            load_s = _median(runs["l"], "seconds")
            load_mb = _median(runs["l"], "peak_mb")
            line += f" {load_s:>7} {load_mb:>8.0f} {load_s / validate_s:>8.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
