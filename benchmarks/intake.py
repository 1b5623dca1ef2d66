"""Benchmark: the intake service (`vte-registry serve`) as sites reach it over loopback.

    python benchmarks/intake.py [--db URL] [--runs 3] [--sites 6] [--each 5]

1. Warm service: a 1,000-patient submission from the end of its upload to `accepted`
   (target under 1.5 s), and a 10,000-patient one beside frictionless-py's cold run on the
   same files (target at least 4x faster).
2. Sites x submissions at once (some with errors, some replacing earlier ones, one sent
   twice): every submission final, none lost or duplicated, each site's records those of
   its last loaded submission; page latency (median, 95th percentile; target under 300 ms)
   while it runs; peak memory of the service and its workers.
3. Upload throughput on loopback (a 256 MB file).
The service runs on SQLite by default (a temporary file); --db runs it on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

# the benchmarks' helpers, and the tests' way of starting the service as a site reaches it
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _measure import cohort, measure, tree_rss_mb

from tests.intake.live import Live, start

ROOT = Path(__file__).resolve().parents[1]

PASSWORD = "benchmark password 1"
FINAL = ("loaded", "rejected", "refused", "withdrawn", "needs-confirmation")
FRICTIONLESS = "import sys, frictionless\nfrictionless.validate(sys.argv[1])\n"


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            if file.name != "defects.json":
                archive.write(file, file.name)
    return target


def _resend(source: Path, target: Path, change: bool = False) -> Path:
    """The same site's data again as a new submission (a new submission_id, created now);
    with ``change``, one weight differs (a replacement that changes a record)."""
    from registry.validation.manifests import refresh_manifest

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    if change:
        path = target / "patients.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0].rstrip("\n").split(",")
        column = header.index("weight_kg_at_diagnosis")
        cells = lines[1].rstrip("\n").split(",")
        if cells[column]:
            cells[column] = f"{float(cells[column]) + 0.1:.1f}"
        lines[1] = ",".join(cells) + "\n"
        path.write_text("".join(lines), encoding="utf-8")
    time.sleep(1.1)  # created_at has whole seconds: each later submission is newer
    refresh_manifest(target)
    return target


def _prepare(db_url: str, sites: list[str]) -> dict[str, str]:
    from registry.database.store import make_engine, upgrade
    from registry.intake import accounts

    engine = make_engine(db_url)
    upgrade(engine)
    tokens = {}
    for site in sites:
        accounts.add_site(engine, site, f"Hospital {site}")
        tokens[site] = accounts.issue_token(engine, site, "benchmark").token
    accounts.add_user(engine, "bench.site", "site_submitter", PASSWORD, site_id=sites[0])
    engine.dispose()
    return tokens


def _session(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/signin")
    token = form.cookies.get("vte_signin") or client.cookies.get("vte_signin")
    client.post("/signin", data={"form_token": token, "user_name": user, "password": PASSWORD})
    return client


def _post(url: str, token: str, archive: Path) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/api/v1/submissions",
        content=archive.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip"},
        timeout=600,
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _until(url: str, token: str, submission_id: str, states: tuple[str, ...]) -> dict[str, Any]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            state: dict[str, Any] = client.get(f"/api/v1/submissions/{submission_id}").json()
            if state["state"] in states:
                return state
            time.sleep(0.1)  # as a client polls (not competing with the worker for the CPU)


def _accepted_after(db_url: str, submission_id: str) -> float:
    """Seconds from the end of the upload (the service's "receive" record) to its
    "accepted" (the worker's "finish" record): the service's own clock, no polling in it."""
    from sqlalchemy import text

    from registry.database.store import make_engine

    engine = make_engine(db_url)
    with engine.connect() as connection:
        at = dict(
            connection.execute(
                text(
                    "SELECT action, at FROM intake_events WHERE target = :id AND "
                    "((action = 'receive' AND result = 'received') OR "
                    "(action = 'finish' AND result = 'accepted'))"
                ),
                {"id": submission_id},
            ).all()
        )
    engine.dispose()
    received, accepted = (
        value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        for value in (at["receive"], at["finish"])
    )
    return (accepted - received).total_seconds()


def warm(live: Live, tokens: dict[str, str], work: Path, runs: int) -> None:
    """Each size its own site (a larger cohort after a smaller one of the same site would
    remove records and wait for confirmation)."""
    print("\n1. warm service: end of upload -> accepted", flush=True)
    warmup = _zip(cohort(work / "warm-50", 50, 3, "--site", "WARM0"), work / "warm.zip")
    sent = _post(live.url, tokens["WARM0"], warmup)
    _until(live.url, tokens["WARM0"], sent["id"], FINAL)
    print(
        f"{'patients':>9} {'records':>9} {'upload s':>9} {'to accepted s':>14} "
        f"{'frictionless s':>15} {'x faster':>9}"
    )
    for site, patients in (("WARM1", 1_000), ("WARM2", 10_000)):
        token = tokens[site]
        base = cohort(work / f"warm-{patients}", patients, 4, "--site", site)
        records = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in base.glob("*.csv"))
        timings, uploads = [], []
        for run in range(runs):
            folder = _resend(base, work / f"warm-{patients}-{run}")
            archive = _zip(folder, work / f"warm-{patients}-{run}.zip")
            began = time.perf_counter()
            sent = _post(live.url, token, archive)
            uploads.append(time.perf_counter() - began)
            state = _until(live.url, token, sent["id"], FINAL)  # its load done before the next
            assert state["state"] == "loaded", state
            timings.append(_accepted_after(live.db_url, sent["id"]))
        friction = work / f"frictionless-{patients}"
        if not friction.exists():
            shutil.copytree(base, friction)
            shutil.copy(ROOT / "schemas" / "datapackage.json", friction / "datapackage.json")
        cold = [
            measure([sys.executable, "-c", FRICTIONLESS, str(friction / "datapackage.json")])[
                "seconds"
            ]
            for _ in range(runs)
        ]
        accepted, frictionless = statistics.median(timings), statistics.median(cold)
        print(
            f"{patients:>9,} {records:>9,} {statistics.median(uploads):>9.2f} "
            f"{accepted:>14.2f} {frictionless:>15.2f} {frictionless / accepted:>9.1f}",
            flush=True,
        )


def concurrent(live: Live, tokens: dict[str, str], work: Path, each: int) -> None:
    from sqlalchemy import bindparam, text

    from registry.database.store import make_engine

    print(f"\n2. {len(tokens)} sites x {each} submissions at once", flush=True)
    plan: list[tuple[str, Path, str]] = []  # (site, archive, kind)
    for index, site in enumerate(tokens):
        first = cohort(work / f"site-{site}", 300, 40 + index, "--site", site)
        bad = cohort(
            work / f"site-{site}-bad", 300, 60 + index, "--site", site, "--defects", "0.05"
        )
        kinds = ["first", "errors", "changed", "same file again", "changed"][:each]
        previous = first
        for number, kind in enumerate(kinds):
            if kind == "first":
                folder = first
            elif kind == "errors":
                folder = bad
            elif kind == "changed":
                folder = _resend(previous, work / f"site-{site}-{number}", change=True)
                previous = folder
            else:
                plan.append((site, plan[-1][1], kind))
                continue
            plan.append((site, _zip(folder, work / f"site-{site}-{number}.zip"), kind))
    random.Random(1).shuffle(plan)
    latencies: list[float] = []
    peak = 0.0
    done = threading.Event()

    def pages() -> None:
        client = _session(live.url, "bench.site")
        site = next(iter(tokens))
        while not done.is_set():
            for path in (f"/sites/{site}", "/api/v1/submissions"):
                began = time.perf_counter()
                client.get(path).raise_for_status()
                latencies.append(time.perf_counter() - began)
            time.sleep(0.05)

    def memory() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(live.process.pid))
            time.sleep(0.1)

    watchers = [threading.Thread(target=pages), threading.Thread(target=memory)]
    for watcher in watchers:
        watcher.start()
    began = time.perf_counter()
    sent: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def send(site: str, archive: Path, kind: str) -> None:
        answer = _post(live.url, tokens[site], archive)
        with lock:
            sent.append((site, answer["id"], kind))

    senders = [threading.Thread(target=send, args=item) for item in plan]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    finals = {
        (site, sid): _until(live.url, tokens[site], sid, FINAL)["state"] for site, sid, _ in sent
    }
    elapsed = time.perf_counter() - began
    done.set()
    for watcher in watchers:
        watcher.join()
    engine = make_engine(live.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT site_id, state FROM intake_submissions WHERE submission_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": sorted({sid for _, sid, _ in sent})},
        ).all()
        why = connection.execute(
            text(
                "SELECT state, message FROM intake_submissions WHERE submission_id IN :ids "
                "AND state IN ('refused', 'needs-confirmation')"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": sorted({sid for _, sid, _ in sent})},
        ).all()
        loads = dict(
            connection.execute(
                text("SELECT site_id, count(*) FROM submissions GROUP BY site_id")
            ).all()
        )
        loads = {site: n for site, n in loads.items() if site in tokens}  # not the warm sites
        held = {
            site: connection.execute(
                text("SELECT count(*) FROM patients WHERE site_id = :s"), {"s": site}
            ).scalar_one()
            for site in tokens
        }
    engine.dispose()
    distinct = {sid for _, sid, _ in sent}
    states = [state for _, state in rows]
    loaded = sum(1 for state in finals.values() if state == "loaded")
    print(
        f"uploads {len(sent)}, submissions {len(distinct)} (the same file twice: one), "
        f"in the database {len(rows)}; all final: {all(s in FINAL for s in states)}; "
        f"lost: {len(distinct - {sid for (_, sid) in finals})}"
    )
    print("states: " + ", ".join(f"{s} {states.count(s)}" for s in sorted(set(states))))
    for state, message in sorted(set(why))[:6]:
        print(f"  {state}: {str(message)[:160]}")
    print(
        f"loads recorded {sum(loads.values())} = loaded submissions {loaded}: "
        f"{sum(loads.values()) == loaded}; every site holds its last load's 300 patients: "
        f"{all(n == 300 for n in held.values())}"
    )
    print(
        f"all final after {elapsed:.1f} s; page latency over {len(latencies)} requests: "
        f"median {statistics.median(latencies) * 1000:.0f} ms, 95th percentile "
        f"{statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms; peak memory of the "
        f"service and its workers {peak:.0f} MB",
        flush=True,
    )


def throughput(live: Live, token: str, work: Path, runs: int) -> None:
    print("\n3. upload throughput on loopback", flush=True)
    archive = work / "large.zip"
    if not archive.exists():
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
            out.writestr("noise.bin", os.urandom(256 * 1024 * 1024))
    size = archive.stat().st_size / 1024**2
    rates = []
    for _ in range(runs):
        began = time.perf_counter()
        with archive.open("rb") as handle:
            httpx.post(
                f"{live.url}/api/v1/submissions",
                content=iter(lambda: handle.read(1 << 20), b""),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/zip",
                    "Content-Length": str(archive.stat().st_size),
                },
                timeout=600,
            ).raise_for_status()
        rates.append(size / (time.perf_counter() - began))
    print(
        f"{size:.0f} MB: median {statistics.median(rates):.0f} MB/s over {runs} uploads "
        "(streamed to disk with its SHA-256)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL (default: SQLite in a temporary file)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--each", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/vte-bench/intake"))
    parser.add_argument("--skip", nargs="*", default=[], choices=["warm", "concurrent", "upload"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{tmp}/registry.sqlite"
        sites = [f"SITE{n}" for n in range(1, args.sites + 1)]
        tokens = _prepare(db_url, [*sites, "WARM0", "WARM1", "WARM2"])
        live = start(db_url, Path(tmp) / "data", workers=args.workers)
        print(f"service on {db_url.split('://')[0]}, {args.workers} workers, 2 cores", flush=True)
        try:
            if "warm" not in args.skip:
                warm(live, tokens, args.out, args.runs)
            if "concurrent" not in args.skip:
                concurrent(live, {s: tokens[s] for s in sites}, args.out, args.each)
            if "upload" not in args.skip:
                throughput(live, tokens["SITE1"], args.out, args.runs)
        finally:
            live.stop()


if __name__ == "__main__":
    main()
