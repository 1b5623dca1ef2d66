"""Benchmark: `vte-registry validate` on 1k, 10k and 100k-patient cohorts, and in the same
run frictionless-py validating the same files against the exported datapackage.json.

    python benchmarks/validate.py [--sizes 1000 10000 100000] [--frictionless-timeout 1800]

Targets on the 2-core reference machine: 10k patients <= 10 s; 100k <= 90 s and <= 4 GB;
faster than frictionless while checking far more; time about linear in size.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import measure

FRICTIONLESS = """
import sys, frictionless
report = frictionless.validate(sys.argv[1])
print(report.stats["errors"] if hasattr(report, "stats") else len(report.flatten()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    parser.add_argument("--frictionless-timeout", type=int, default=1800)
    parser.add_argument("--no-frictionless", action="store_true")
    args = parser.parse_args()
    exe = shutil.which("vte-registry") or sys.exit("install the package first (pip install -e .)")
    package = Path(__file__).resolve().parents[1] / "schemas" / "datapackage.json"
    print(
        f"{'patients':>9} {'records':>10} {'validate s':>10} {'peak MB':>8} {'rec/s':>9} "
        f"{'frictionless s':>15}"
    )
    for n in args.sizes:
        folder = args.out / f"validate-{n}"
        if not (folder / "manifest.json").exists():
            subprocess.run(
                [exe, "synth", str(folder), "--patients", str(n), "--seed", "1"],
                check=True,
                capture_output=True,
            )
        records = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in folder.glob("*.csv"))
        result = measure(
            [
                exe,
                "validate",
                str(folder),
                "--format",
                "json",
                "--output",
                str(args.out / f"report-{n}.json"),
            ]
        )
        if result["exit"] not in (0, 1):
            sys.exit(f"validate failed: {result['stderr']}")
        friction = "-"
        if not args.no_frictionless:
            shutil.copy(package, folder / "datapackage.json")
            started = time.perf_counter()
            try:
                subprocess.run(
                    [sys.executable, "-c", FRICTIONLESS, str(folder / "datapackage.json")],
                    check=True,
                    capture_output=True,
                    timeout=args.frictionless_timeout,
                )
                friction = f"{time.perf_counter() - started:.1f}"
            except subprocess.TimeoutExpired:
                friction = f"> {args.frictionless_timeout}"
            finally:
                (folder / "datapackage.json").unlink()
        print(
            f"{n:>9} {records:>10} {result['seconds']:>10} {result['peak_mb']:>8} "
            f"{records / result['seconds']:>9.0f} {friction:>15}",
            flush=True,
        )


if __name__ == "__main__":
    main()
