"""Benchmark: `vte-registry synth` for 1k, 10k and 100k patients (wall time, peak RSS).

    python benchmarks/synth.py [--sizes 1000 10000 100000] [--out /tmp/vte-bench]

Targets on the 2-core reference machine: 100k patients in <= 60 s and <= 2 GB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import measure, vte_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    parser.add_argument("--format", default="csv", choices=["csv", "parquet"])
    args = parser.parse_args()
    exe = vte_registry()
    print(f"{'patients':>9} {'records':>10} {'seconds':>8} {'peak MB':>8} {'MB on disk':>10}")
    for n in args.sizes:
        out = args.out / f"synth-{n}-{args.format}"
        shutil.rmtree(out, ignore_errors=True)
        result = measure(
            [exe, "synth", str(out), "--patients", str(n), "--seed", "1", "--format", args.format]
        )
        if result["exit"] != 0:
            sys.exit(f"synth failed: {result['stderr']}")
        records = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in out.glob("*.csv"))
        size = sum(p.stat().st_size for p in out.iterdir()) / 1024**2
        print(
            f"{n:>9} {records if records else '-':>10} {result['seconds']:>8} "
            f"{result['peak_mb']:>8} {size:>10.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
