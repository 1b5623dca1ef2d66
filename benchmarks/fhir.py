"""Benchmark: `vte-registry export fhir` of a 10,000-patient submission and of the registry
database holding it.

    python benchmarks/fhir.py [--patients 10000]

Prints wall time, peak memory, resources and bytes written (the submission is validated
first, which is included in its time).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import cohort, measure, vte_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    args = parser.parse_args()
    exe = vte_registry()
    folder = cohort(args.out / f"fhir-{args.patients}" / "submission", args.patients, 5)
    db = args.out / f"fhir-{args.patients}.sqlite"
    if not db.exists():
        subprocess.run(
            [exe, "load", str(folder), "--db", f"sqlite:///{db}"], check=True, capture_output=True
        )
    print(f"{'source':<12} {'seconds':>8} {'peak MB':>8} {'resources':>10} {'MB written':>11}")
    for name, command in {
        "submission": [exe, "export", "fhir", str(folder), str(args.out / "fhir-sub")],
        "database": [exe, "export", "fhir", "--db", f"sqlite:///{db}", str(args.out / "fhir-db")],
    }.items():
        run = measure(command)
        if run["exit"] != 0:
            sys.exit(f"{name}: {run['stderr']}")
        out = Path(command[-1])
        resources = sum(sum(1 for _ in p.open()) for p in out.glob("*.ndjson"))
        size = sum(p.stat().st_size for p in out.glob("*.ndjson")) / 1e6
        print(
            f"{name:<12} {run['seconds']:>8.1f} {run['peak_mb']:>8.0f} {resources:>10,} "
            f"{size:>11.1f}"
        )


if __name__ == "__main__":
    main()
