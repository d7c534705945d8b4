"""Task-engine benchmark: the engine's own overhead, with no-op task handlers.

For each backend (an SQLite file in a temp dir; a throwaway PostgreSQL server from
tests/services.py) a fresh, migrated database per run, one no-op kind (its handler returns {}),
the real wiring (Runner, AfterCommit hooks, LocalExecutor) and two measurements:

  * throughput: N independent tasks submitted in one transaction; tasks completed per second
    from the commit to the last task's ``finished_at``;
  * hand-off latency: chains of tasks (each depends on the one before); for every link,
    ``dependent.started_at - dependency.finished_at`` from the task rows (both set by the engine),
    median and p99 — with one chain (an idle engine) and with as many parallel chains as there
    are worker threads (every worker busy with a chain).

Each measurement runs --repeat times (a fresh database each time); the table shows medians.
The other resource classes keep their default thread counts, idle-polling as in a real worker.

Targets: ≥ 200 tasks/s on SQLite; hand-off p99 ≤ 50 ms with the local executor.

    python bench/engine.py [--backend sqlite|postgres|both] [--quick] [--repeat 3] [--cpu 4]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# The repository root, for tests.services (the throwaway PostgreSQL server).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from storyreel.db.migrate import upgrade
from storyreel.db.models import Task
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.settings import Concurrency
from storyreel.tasks import service
from storyreel.tasks.dispatch import AfterCommit
from storyreel.tasks.events import MemoryEventBus
from storyreel.tasks.executors.local import LocalExecutor
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import TaskSpec
from storyreel.tasks.runner import EngineTiming, Runner

KIND = "noop"
TARGET_RATE = 200.0  # tasks/s on SQLite
TARGET_P99_MS = 50.0  # hand-off p99, local executor


def noop(_ctx: Any) -> dict[str, Any]:
    return {}


@dataclass
class Engine:
    db: Database
    kinds: KindRegistry
    runner: Runner
    executor: LocalExecutor


@contextmanager
def engine(url: str, cpu: int) -> Iterator[Engine]:
    """A migrated database and a started local executor, wired as Platform wires them."""
    db = Database(url)
    upgrade(db)
    kinds = KindRegistry()
    kinds.register(KIND, noop)
    hooks = AfterCommit(db, MemoryEventBus())
    runner = Runner(db, kinds, timing=EngineTiming())
    lanes = {**Concurrency().model_dump(), "cpu": cpu}
    executor = LocalExecutor(runner, lanes)
    hooks.executor = executor
    executor.start()
    try:
        yield Engine(db, kinds, runner, executor)
    finally:
        executor.stop(drain_s=5.0)
        db.dispose()


def wait_done(eng: Engine, ids: list[str], timeout: float, poll_s: float = 0.1) -> None:
    """Until every task in ``ids`` succeeded (polls a count, so the figures come from rows)."""
    deadline = time.monotonic() + timeout
    while True:
        with eng.db.session() as s:
            done = s.scalar(
                select(func.count()).select_from(Task).where(Task.status == "succeeded")
            )
            bad = s.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.status.in_(("failed", "cancelled")))
            )
        if bad:
            raise RuntimeError(f"{bad} tasks failed or were cancelled")
        if done == len(ids):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{done}/{len(ids)} tasks done after {timeout:g} s")
        time.sleep(poll_s)


def rows(eng: Engine, ids: list[str]) -> dict[str, tuple[datetime, datetime]]:
    with eng.db.session() as s:
        q = select(Task.id, Task.started_at, Task.finished_at).where(Task.id.in_(ids))
        return {i: (started, finished) for i, started, finished in s.execute(q)}


def throughput(eng: Engine, n: int) -> tuple[float, float]:
    """(tasks/s from commit to the last finish, seconds spent submitting in one transaction)."""
    t0 = time.perf_counter()
    with eng.db.session() as s:
        ids = [service.submit(s, TaskSpec(kind=KIND), eng.kinds).id for _ in range(n)]
    committed = utcnow()
    submit_s = time.perf_counter() - t0
    wait_done(eng, ids, timeout=max(60.0, n / 10))
    last = max(finished for _, finished in rows(eng, ids).values())
    return n / (last - committed).total_seconds(), submit_s


def handoffs(eng: Engine, chains: int, links: int) -> list[float]:
    """``links`` hand-offs per chain (chains of links + 1 tasks), all chains submitted in one
    transaction; returns every dependent's start minus its dependency's finish, in ms."""
    pairs: list[tuple[str, str]] = []
    ids: list[str] = []
    with eng.db.session() as s:
        for _ in range(chains):
            prev = service.submit(s, TaskSpec(kind=KIND), eng.kinds).id
            ids.append(prev)
            for _ in range(links):
                task = service.submit(s, TaskSpec(kind=KIND, depends_on=(prev,)), eng.kinds)
                pairs.append((prev, task.id))
                ids.append(task.id)
                prev = task.id
    wait_done(eng, ids, timeout=max(60.0, len(ids) / 5))
    times = rows(eng, ids)
    return [(times[b][0] - times[a][1]).total_seconds() * 1000 for a, b in pairs]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(q / 100 * len(ordered))) - 1)]


@dataclass
class Figures:
    rate: list[float]
    submit: list[float]
    idle_med: list[float]
    idle_p99: list[float]
    busy_med: list[float]
    busy_p99: list[float]


def measure(backend: str, make_url: Callable[[int], str], args: argparse.Namespace) -> Figures:
    figs = Figures([], [], [], [], [], [])
    busy_chains = args.cpu
    busy_links = max(1, args.handoffs // busy_chains)
    for run in range(args.repeat):
        with engine(make_url(run * 3), args.cpu) as eng:
            rate, submit_s = throughput(eng, args.tasks)
        with engine(make_url(run * 3 + 1), args.cpu) as eng:
            idle = handoffs(eng, 1, args.handoffs)
        with engine(make_url(run * 3 + 2), args.cpu) as eng:
            busy = handoffs(eng, busy_chains, busy_links)
        figs.rate.append(rate)
        figs.submit.append(submit_s)
        figs.idle_med.append(statistics.median(idle))
        figs.idle_p99.append(percentile(idle, 99))
        figs.busy_med.append(statistics.median(busy))
        figs.busy_p99.append(percentile(busy, 99))
        print(
            f"{backend} run {run + 1}: {rate:.0f} tasks/s ({args.tasks} tasks; submitting took "
            f"{submit_s:.2f} s); hand-off 1 chain median {figs.idle_med[-1]:.1f} ms "
            f"p99 {figs.idle_p99[-1]:.1f} ms (max {max(idle):.1f}); {busy_chains} chains "
            f"median {figs.busy_med[-1]:.1f} ms p99 {figs.busy_p99[-1]:.1f} ms "
            f"(max {max(busy):.1f})",
            flush=True,
        )
    return figs


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="fewer tasks and one run")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (default 3)")
    parser.add_argument("--tasks", type=int, default=None, help="throughput tasks (default 2000)")
    parser.add_argument("--handoffs", type=int, default=None, help="hand-offs (default 500)")
    parser.add_argument("--cpu", type=int, default=4, help="cpu-class worker threads")
    args = parser.parse_args()
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.tasks = args.tasks or (300 if args.quick else 2000)
    args.handoffs = args.handoffs or (100 if args.quick else 500)

    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before starting "
        f"(other work on the machine inflates every figure); "
        f"local executor, {args.cpu} cpu threads "
        f"(other classes idle at their defaults); {args.tasks} tasks for throughput, "
        f"{args.handoffs} hand-offs; {args.repeat} run(s), medians"
    )
    results: dict[str, Figures] = {}
    work = Path(tempfile.mkdtemp(prefix="storyreel-engine-"))
    server = None
    try:
        if args.backend in ("sqlite", "both"):
            results["sqlite"] = measure("sqlite", lambda i: f"sqlite:///{work}/engine-{i}.db", args)
        if args.backend in ("postgres", "both"):
            from tests.services import start_postgres

            server = start_postgres(work)
            pg = server
            results["postgres"] = measure(
                "postgres", lambda i: pg.create_database(f"engine_{i}"), args
            )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    chains = f"{args.cpu} chains"
    print()
    print(
        f"{'backend':<10}{'tasks/s':>9}{'submit s':>10}"
        f"{'1 chain med':>13}{'p99':>8}{chains + ' med':>14}{'p99':>8}   (hand-offs in ms)"
    )
    for backend, f in results.items():
        print(
            f"{backend:<10}{med(f.rate):>9.0f}{med(f.submit):>10.2f}"
            f"{med(f.idle_med):>13.1f}{med(f.idle_p99):>8.1f}"
            f"{med(f.busy_med):>14.1f}{med(f.busy_p99):>8.1f}"
        )
    print()
    print(f"{'target (medians)':<48}{'value':>10}  verdict")
    for backend, f in results.items():
        if backend == "sqlite":
            rate = med(f.rate)
            label = f"sqlite throughput >= {TARGET_RATE:.0f} tasks/s"
            print(f"{label:<48}{rate:>10.0f}  {verdict(rate >= TARGET_RATE)}")
        for what, p99 in (("1 chain", med(f.idle_p99)), (chains, med(f.busy_p99))):
            label = f"{backend} hand-off p99 <= {TARGET_P99_MS:.0f} ms, {what}"
            print(f"{label:<48}{p99:>8.1f}ms  {verdict(p99 <= TARGET_P99_MS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
