"""Benchmark: `vte-registry load` of 10k patients into SQLite and PostgreSQL.

    python benchmarks/load.py [--patients 10000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints the wall time of the whole load (validation included) and of a re-load of a newer
submission of the same site (delete + insert of every record, in one transaction).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import cohort, measure, vte_registry


def _fresh_schema(url: str, schema: str) -> str:
    """An empty PostgreSQL schema for the benchmark; the URL that writes into it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench"))
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    exe = vte_registry()
    folder = cohort(args.out / f"load-{args.patients}", args.patients, 3)
    again = args.out / f"load-{args.patients}-again"
    shutil.rmtree(again, ignore_errors=True)
    shutil.copytree(folder, again)
    manifest = json.loads((again / "manifest.json").read_text())
    manifest["submission_id"] = str(uuid.UUID(int=1))
    (again / "manifest.json").write_text(json.dumps(manifest))
    records = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in folder.glob("*.csv"))
    sqlite = args.out / "load-bench.sqlite"
    sqlite.unlink(missing_ok=True)
    targets = {"SQLite": f"sqlite:///{sqlite}", "PostgreSQL": args.pg}
    print(f"{args.patients} patients, {records} records")
    print(f"{'database':>10} {'first load s':>13} {'replace s':>10} {'peak MB':>8}")
    for name, url in targets.items():
        if name == "PostgreSQL":
            url = _fresh_schema(url, "bench_load")
        first = measure([exe, "load", str(folder), "--db", url])
        second = measure([exe, "load", str(again), "--db", url])
        if first["exit"] or second["exit"]:
            sys.exit(f"load failed: {first['stderr']} {second['stderr']}")
        print(
            f"{name:>10} {first['seconds']:>13} {second['seconds']:>10} "
            f"{max(first['peak_mb'], second['peak_mb']):>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
