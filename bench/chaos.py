"""Chaos benchmark (issue #16): many projects on a share-nothing cluster while its workers are
killed with SIGKILL and its services restarted under them. Bounded in time; not part of the
test suite or CI.

The cluster is the one the share-nothing test runs (tests/cluster.py): PostgreSQL, Redis and a
SeaweedFS S3 server on loopback (tests/services.py), one ``storyreel serve`` and ``--workers``
``storyreel worker --executor celery`` processes, half on ``gpu,cpu`` and half on ``cpu,io,llm``,
each with its own empty data folder, on the short recovery clocks the recovery tests use
(``FAST_RECOVERY``). ``--projects`` short English and Chinese stories are made into preview
films through the REST API, by ``--accounts`` accounts. Meanwhile a chaos thread kills a random
live worker (``kill -9`` of its process group, FFmpeg included) every ``--kill-every`` seconds
and starts a replacement on the same queues, until ``--kills`` kills; Redis, PostgreSQL and
SeaweedFS are each restarted once, at a quarter, half and three quarters of the kill schedule.
A worker that dies by itself is replaced too, and counted.

Then it waits (at most ``--timeout`` seconds) until every project's tasks have all succeeded,
and prints:

  * projects finished (goal: all);
  * duplicated effects (goal: 0): a project with more than one render (one was asked for),
    provider usage recorded more than once for one task, quota usage charged more than once
    (the ``usage_ledger`` against what the projects' tasks count), a step submitted twice; a
    task run more than once (attempts > 1) is fine when its effects happened once;
  * blobs lost (goal: 0): an asset row whose blob is not in the bucket; and blobs orphaned: a
    key under ``projects/`` that the orphan sweep would delete (``repositories.blobs``);
  * the kills (how many hit a worker running tasks), the restart times, the total wall time and
    each project's time to done (median, max).

A project that does not finish is reported with its tasks' statuses and the worker log lines
that name them. The exit code is 1 when a goal is missed.

    python bench/chaos.py [--projects 20] [--kills 20] [--kill-every 6] [--workers 4]
                          [--accounts 5] [--timeout 1200] [--seed 1] [--keep]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# The repository root, for tests.cluster and tests.services (the cluster and its servers).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Project, Render, Task, UsageLedger, UsageRecord
from storyreel.db.repositories import blobs as blobs_repo
from storyreel.db.session import Database
from storyreel.pipeline.kinds import KINDS
from storyreel.settings import S3Settings
from tests.cluster import FAST_RECOVERY, ApiClient, ChildProcess, ShareNothingCluster
from tests.services import (
    S3_ACCESS_KEY,
    S3_REGION,
    S3_SECRET_KEY,
    start_postgres,
    start_redis,
    start_seaweedfs,
)

BUCKET = "storyreel-chaos"
PREFIX = "storyreel"
QUEUES = ("gpu,cpu", "cpu,io,llm")
ACTIVE = ("blocked", "queued", "running")

STORIES = [
    "The lighthouse keeper climbed the long stairs every evening to light the lamp. One stormy "
    "night a small fishing boat lost its way in the waves. He turned the lamp up and rang the "
    "bell until the boat found the harbour, and at dawn the fisher's daughter brought him fish.",
    "老周是一位守灯塔的老人，每天傍晚都会爬上一百二十级台阶，点亮塔顶的灯。一天夜里海上起了大风，"
    "一艘小渔船迷失了方向。老周敲响铜钟，渔船顺着光和钟声慢慢靠岸。",
    "A fox found a lost kite tangled in the branches of an old oak. She carried it across the "
    "meadow to the village, where a crying boy had been looking for it all afternoon. They flew "
    "it together until the sun went down behind the hills.",
    "小女孩在雨后的院子里发现了一只受伤的小鸟。她用旧毛巾给它做了一个窝，每天喂它小米和清水。"
    "一个星期后，小鸟扑扇着翅膀飞上了屋檐，在阳光里唱起了歌。",
    "An old baker rose before dawn to knead the bread for the whole town. One winter morning the "
    "oven would not light, so the neighbours brought wood, candles and songs, and by sunrise the "
    "loaves were golden and the street smelled of warm bread.",
    "山村里的老师每天翻过两座山去上课。冬天下了大雪，孩子们以为老师不会来了。"
    "可是上课铃响的时候，老师披着满身的雪走进了教室，黑板上写着：春天就要来了。",
    "A robot gardener tended the last greenhouse on the station. When the lights failed, it "
    "carried each seedling to the window one by one, and the children woke to find the whole "
    "greenhouse turned toward the rising Earth.",
    "小镇的钟表匠修好了广场上停了十年的大钟。钟声重新响起的那天，镇上的人都走出家门，"
    "老人们说，他们又听见了年轻时的声音。",
]


@dataclass
class Event:
    """Something the chaos thread did, at ``at`` seconds after the projects were asked for."""

    at: float
    what: str
    detail: str = ""
    took: float = 0.0
    clock: str = field(default_factory=lambda: datetime.now().strftime("%H:%M:%S.%f")[:-3])


@dataclass
class Chaos:
    """Kills workers and restarts services on a schedule; replaces every worker that dies."""

    cluster: ShareNothingCluster
    services: dict[str, Any]  # "redis" | "postgres" | "s3" → a server with restart()
    db: Database
    kills: int
    kill_every: float
    concurrency: int
    t0: float
    rng: random.Random
    slots: dict[int, str] = field(default_factory=dict)  # worker pid → its queues
    events: list[Event] = field(default_factory=list)
    kills_done: int = 0
    kills_mid_task: int = 0
    died_alone: list[str] = field(default_factory=list)
    error: BaseException | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)  # the schedule is done

    def now(self) -> float:
        return time.monotonic() - self.t0

    def schedule(self) -> list[tuple[float, str]]:
        span = self.kills * self.kill_every
        plan = [(self.kill_every * (k + 1), "kill") for k in range(self.kills)]
        # Spread out, and between kills (not at the same moment as one).
        for share, name in ((0.25, "redis"), (0.5, "postgres"), (0.75, "s3")):
            plan.append((span * share + self.kill_every / 2, name))
        return sorted(plan)

    def run(self) -> None:
        """The schedule, then replacing dead workers until ``stop``. The thread must live
        until the bench ends: the servers and workers it starts are asked (PR_SET_PDEATHSIG)
        to die with the thread that started them, not with the process."""
        try:
            began = self.now()  # the schedule counts from here (once every project is asked)
            for at, what in self.schedule():
                while (wait := began + at - self.now()) > 0:
                    self.replace_dead()
                    if self.stop.wait(min(wait, 0.5)):
                        return
                if what == "kill":
                    self.kill_one()
                else:
                    self.restart(what)
            self.finished.set()
            while not self.stop.wait(0.5):
                self.replace_dead()
        except BaseException as exc:
            self.error = exc
            self.finished.set()

    def start_worker(self, queues: str) -> ChildProcess:
        worker = self.cluster.start_worker(queues, self.concurrency)
        self.slots[worker.proc.pid] = queues
        return worker

    def live(self) -> list[ChildProcess]:
        return [w for w in self.cluster.workers if w.alive]

    def replace_dead(self) -> None:
        """A worker that exited without being killed here: counted, and replaced."""
        for worker in self.cluster.workers:
            pid = worker.proc.pid
            if not worker.alive and pid in self.slots:
                queues = self.slots.pop(pid)
                self.died_alone.append(f"{worker.name} (exit {worker.proc.returncode})")
                self.events.append(Event(self.now(), "died", f"{worker.name} exited by itself"))
                self.start_worker(queues)

    def running_on(self, pid: int) -> list[str]:
        """``kind:task-id-prefix`` of each task a worker holds a lease on (best effort: the
        database may be restarting)."""
        try:
            with self.db.reading() as s:
                rows = s.execute(
                    select(Task.kind, Task.id).where(
                        Task.status == "running", Task.lease_owner.like(f"%:{pid}:%")
                    )
                )
                return [f"{kind}:{task_id[:8]}" for kind, task_id in rows]
        except Exception:
            return ["?"]

    def kill_one(self) -> None:
        self.replace_dead()
        victim = self.rng.choice(self.live())
        pid = victim.proc.pid
        running = self.running_on(pid)
        queues = self.slots.pop(pid)
        victim.kill()
        self.kills_done += 1
        self.kills_mid_task += bool(running)
        replacement = self.start_worker(queues)
        doing = ", ".join(sorted(running)) or "idle"
        self.events.append(
            Event(self.now(), "kill", f"{victim.name} ({doing}) → {replacement.name}")
        )

    def restart(self, name: str) -> None:
        event = Event(self.now(), "restart", name)
        started = time.monotonic()
        self.services[name].restart()
        event.took = time.monotonic() - started
        self.events.append(event)


def retrying(what: Callable[[], Any], tries: int = 30) -> Any:
    """``what()``, tried again while a service is briefly away (a restart under way)."""
    for attempt in range(tries):
        try:
            return what()
        except Exception:
            if attempt == tries - 1:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


def pairs(session: Session, query: Any) -> dict[Any, Any]:
    """A two-column query as a dict (a ``Result`` has ``keys()``, so ``dict()`` misreads it)."""
    return {key: value for key, value in session.execute(query)}


# --- progress ---------------------------------------------------------------------------------


@dataclass
class ProjectState:
    done: bool
    failed: bool  # a task failed and nothing is left to run: it will not finish
    seconds_to_done: float | None
    statuses: Counter[str]


def project_states(db: Database, project_ids: list[str]) -> dict[str, ProjectState]:
    with db.reading() as s:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for pid, status, n in s.execute(
            select(Task.project_id, Task.status, func.count())
            .where(Task.project_id.in_(project_ids))
            .group_by(Task.project_id, Task.status)
        ):
            counts[pid][status] = n
        rendered = set(
            s.scalars(select(Render.project_id).where(Render.project_id.in_(project_ids)))
        )
        created = pairs(
            s, select(Project.id, Project.created_at).where(Project.id.in_(project_ids))
        )
        last = pairs(
            s,
            select(Task.project_id, func.max(Task.finished_at))
            .where(Task.project_id.in_(project_ids))
            .group_by(Task.project_id),
        )
    states = {}
    for pid in project_ids:
        statuses = counts[pid]
        done = bool(statuses) and set(statuses) == {"succeeded"} and pid in rendered
        active = sum(statuses[s] for s in ACTIVE)
        failed = not active and any(statuses[s] for s in ("failed", "cancelled"))
        took = None
        if done and isinstance(last.get(pid), datetime):
            took = (last[pid] - created[pid]).total_seconds()
        states[pid] = ProjectState(done, failed, took, statuses)
    return states


# --- the figures --------------------------------------------------------------------------------


def duplicated_effects(db: Database, project_ids: list[str]) -> list[str]:
    """Every effect that happened more than once, one line each."""
    found: list[str] = []
    with db.reading() as s:
        for pid, n in s.execute(
            select(Render.project_id, func.count())
            .where(Render.project_id.in_(project_ids))
            .group_by(Render.project_id)
            .having(func.count() > 1)
        ):
            found.append(f"project {pid}: {n} renders (1 asked for)")
        for task_id, capability, n in s.execute(
            select(UsageRecord.task_id, UsageRecord.capability, func.count())
            .where(UsageRecord.project_id.in_(project_ids))
            .group_by(UsageRecord.task_id, UsageRecord.capability)
            .having(func.count() > 1)
        ):
            found.append(f"task {task_id}: {capability} usage recorded {n} times")
        for pid, shot, kind, n in s.execute(
            select(Task.project_id, Task.shot_id, Task.kind, func.count())
            .where(Task.project_id.in_(project_ids))
            .group_by(Task.project_id, Task.shot_id, Task.kind)
            .having(func.count() > 1)
        ):
            found.append(f"project {pid}: {kind} of shot {shot} submitted {n} times")
        # Quotas: what the ledger charged each account, against what its tasks count
        # (each task once: it is charged when submitted, and no re-run was asked for).
        owners = pairs(s, select(Project.id, Project.owner_id).where(Project.id.in_(project_ids)))
        expected: dict[str, Counter[str]] = defaultdict(Counter)
        for pid, kind in s.execute(
            select(Task.project_id, Task.kind).where(Task.project_id.in_(project_ids))
        ):
            expected[owners[pid]].update(dict(KINDS[kind][1].quota_units) if kind in KINDS else {})
        for user_id, images, videos in s.execute(
            select(UsageLedger.user_id, func.sum(UsageLedger.images), func.sum(UsageLedger.videos))
            .where(UsageLedger.user_id.in_(set(owners.values())))
            .group_by(UsageLedger.user_id)
        ):
            for unit, charged in (("images", images), ("videos", videos)):
                if int(charged or 0) > expected[user_id][unit]:
                    found.append(
                        f"account {user_id}: {charged} {unit} charged, "
                        f"{expected[user_id][unit]} counted by its tasks"
                    )
    return found


def bucket_keys(server: Any) -> set[str]:
    """Every key in the bucket under the storage prefix, without it (as the store names them)."""
    pages = server.client().get_paginator("list_objects_v2")
    keys: set[str] = set()
    for page in pages.paginate(Bucket=BUCKET, Prefix=f"{PREFIX}/"):
        keys.update(item["Key"][len(PREFIX) + 1 :] for item in page.get("Contents", []))
    return keys


def blob_figures(db: Database, server: Any) -> tuple[list[str], list[str]]:
    """(lost, orphaned): asset rows whose blob is missing; keys under ``projects/`` the orphan
    sweep would delete (no asset row names them, and not a live project's cache)."""
    stored = bucket_keys(server)
    with db.reading() as s:
        assets = list(s.execute(select(Asset.id, Asset.project_id, Asset.kind, Asset.blob_key)))
        candidates = {k for k in stored if k.startswith("projects/")}
        kept = blobs_repo.referenced(s, candidates)
    lost = [
        f"asset {aid} ({kind}, project {pid}): {key}"
        for aid, pid, kind, key in assets
        if key not in stored
    ]
    return lost, sorted(candidates - kept)


def stuck_report(
    db: Database, cluster: ShareNothingCluster, project_ids: list[str], lines: int = 6
) -> str:
    """The tasks of unfinished projects and the worker log lines that name them."""
    out: list[str] = []
    logs = {w.name: w.log.read_text(errors="replace").splitlines() for w in cluster.workers}
    with db.reading() as s:
        for pid in project_ids:
            out.append(f"  project {pid}:")
            tasks = s.scalars(
                select(Task).where(Task.project_id == pid).order_by(Task.created_at, Task.id)
            )
            for t in tasks:
                error = f" error={t.error}" if t.error else ""
                out.append(
                    f"    task {t.id} {t.kind:<10} shot={t.shot_id} {t.status:<9} "
                    f"attempts={t.attempts}/{t.max_attempts} fence={t.fence} "
                    f"lease={t.lease_owner} msg={t.message!r}{error}"
                )
                if t.status == "succeeded":
                    continue
                for name, text in logs.items():
                    hits = [line for line in text if t.id in line][-lines:]
                    out += [f"      {name}: {line[:300]}" for line in hits]
    return "\n".join(out)


def worker_log_summary(cluster: ShareNothingCluster) -> Counter[str]:
    """How often the workers' logs say a task crashed, failed or was requeued."""
    seen: Counter[str] = Counter()
    for w in cluster.workers:
        text = w.log.read_text(errors="replace")
        seen["crashed"] += text.count(" crashed:")
        seen["tracebacks"] += text.count("Traceback (most recent call last)")
        seen["reaper requeued"] += text.count("reaper: requeued")
    return seen


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs of workers, at least")
    parser.add_argument("--kill-every", type=float, default=6.0, help="seconds between kills")
    parser.add_argument("--accounts", type=int, default=5, help="the projects' owners")
    parser.add_argument("--workers", type=int, default=4, help="live at any time")
    parser.add_argument("--concurrency", type=int, default=2, help="tasks per worker")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds, at most")
    parser.add_argument("--seed", type=int, default=1, help="which worker each kill takes")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="storyreel-bench-chaos-"))
    for name in ("postgres", "redis", "seaweedfs", "cluster"):
        (work / name).mkdir()
    rng = random.Random(args.seed)
    postgres = start_postgres(work / "postgres")
    redis = start_redis(work / "redis")
    s3_server = start_seaweedfs(work / "seaweedfs")
    s3_server.create_bucket(BUCKET)
    cluster = ShareNothingCluster(
        root=work / "cluster",
        database_url=postgres.url,
        broker_url=redis.url,
        storage_url=f"s3://{BUCKET}/{PREFIX}",
        s3=S3Settings(
            endpoint_url=s3_server.endpoint_url,
            region=S3_REGION,
            access_key_id=S3_ACCESS_KEY,
            secret_access_key=S3_SECRET_KEY,
        ),
        timing=FAST_RECOVERY,
    )
    db = Database(postgres.url)
    clients: list[ApiClient] = []
    chaos: Chaos | None = None
    thread: threading.Thread | None = None
    ok = False
    try:
        cluster.migrate()
        cluster.start_api()
        chaos = Chaos(
            cluster,
            {"redis": redis, "postgres": postgres, "s3": s3_server},
            db,
            args.kills,
            args.kill_every,
            args.concurrency,
            t0=time.monotonic(),
            rng=rng,
        )
        for n in range(args.workers):
            chaos.start_worker(QUEUES[n % len(QUEUES)])
        print(
            f"chaos: {args.projects} projects, {args.workers} workers "
            f"({', '.join(QUEUES)}; concurrency {args.concurrency}), a kill every "
            f"{args.kill_every:g} s until {args.kills}; Redis, PostgreSQL and SeaweedFS "
            f"restarted once each; work in {work}",
            flush=True,
        )

        project_ids: list[str] = []
        chaos.t0 = time.monotonic()
        for n in range(args.projects):
            if n < args.accounts:  # the API allows 30 sign-ins a minute: a few accounts
                clients.append(ApiClient(cluster.api_url, f"chaos-{n}@example.com"))
            client = clients[n % args.accounts]
            story = STORIES[n % len(STORIES)]
            made = client.create_project(
                story,
                title=f"chaos {n}",
                target_seconds=8 + n % 5,
                quality="preview",
            )
            project_ids.append(made["id"])
        asked = chaos.now()
        print(f"  {args.projects} projects asked for in {asked:.1f} s", flush=True)
        thread = threading.Thread(target=chaos.run, name="chaos", daemon=True)
        thread.start()

        deadline = time.monotonic() + args.timeout
        states: dict[str, ProjectState] = {}
        reported = -1.0
        failing = ""
        while time.monotonic() < deadline:
            try:
                states = project_states(db, project_ids)
            except Exception as exc:  # PostgreSQL restarting: ask again
                if (what := f"{type(exc).__name__}: {exc}".splitlines()[0]) != failing:
                    print(f"  +{chaos.now():6.1f} s: progress not read ({what})", flush=True)
                failing = what
                time.sleep(1.0)
                continue
            failing = ""
            done = sum(st.done for st in states.values())
            settled = all(st.done or st.failed for st in states.values())
            if chaos.now() - reported >= 30:
                reported = chaos.now()
                print(
                    f"  +{chaos.now():6.1f} s: {done}/{args.projects} done, "
                    f"{chaos.kills_done} kills, "
                    f"{sum(e.what == 'restart' for e in chaos.events)} restarts",
                    flush=True,
                )
            if settled and chaos.finished.is_set():
                break
            time.sleep(1.0)
        # The chaos thread goes on (replacing dead workers) until the end: see Chaos.run.
        wall = time.monotonic() - chaos.t0
        states = retrying(lambda: project_states(db, project_ids))

        # --- the figures ---
        finished = [pid for pid, st in states.items() if st.done]
        stuck = [pid for pid in project_ids if pid not in finished]
        duplicated = retrying(lambda: duplicated_effects(db, project_ids))
        lost, orphaned = retrying(lambda: blob_figures(db, s3_server))
        with db.reading() as s:
            attempts = Counter(
                s.scalars(select(Task.attempts).where(Task.project_id.in_(project_ids))).all()
            )
        tasks_total = sum(attempts.values())
        retried = sum(n for a, n in attempts.items() if a > 1)
        times = [st.seconds_to_done for st in states.values() if st.seconds_to_done is not None]
        restarts = [e for e in chaos.events if e.what == "restart"]

        print("\nevents:")
        for e in chaos.events:
            took = f" (took {e.took:.1f} s)" if e.took else ""
            print(f"  +{e.at:6.1f} s  {e.clock}  {e.what:<7} {e.detail}{took}")
        print("\nfigures:")
        print(f"  projects finished        {len(finished)}/{args.projects} (goal {args.projects})")
        print(f"  duplicated effects       {len(duplicated)} (goal 0)")
        for line in duplicated[:20]:
            print(f"    {line}")
        print(f"  blobs lost               {len(lost)} (goal 0)")
        for line in lost[:20]:
            print(f"    {line}")
        print(f"  blobs orphaned           {len(orphaned)} (left for the orphan sweep)")
        for key in orphaned[:10]:
            print(f"    {key}")
        print(
            f"  tasks                    {tasks_total}, {retried} run more than once "
            f"(attempts > 1, effects once); attempts {dict(sorted(attempts.items()))}"
        )
        print(
            f"  kills (SIGKILL)          {chaos.kills_done} (goal ≥ {args.kills}), "
            f"{chaos.kills_mid_task} of a worker running tasks"
        )
        print(f"  workers died by themselves {len(chaos.died_alone)} {chaos.died_alone or ''}")
        for e in restarts:
            print(f"  {e.detail + ' restarted':<24} at +{e.at:.1f} s, back in {e.took:.1f} s")
        print(f"  worker logs              {dict(worker_log_summary(cluster))}")
        print(f"  total wall time          {wall:.1f} s (from the first project asked for)")
        if times:
            print(
                f"  time to done per project median {statistics.median(times):.1f} s, "
                f"max {max(times):.1f} s"
            )
        if chaos.error is not None:
            print(f"  the chaos thread failed: {chaos.error!r}")
        if stuck:
            print(f"\nnot finished ({len(stuck)}):")
            print(retrying(lambda: stuck_report(db, cluster, stuck)))
        ok = (
            not stuck
            and not duplicated
            and not lost
            and chaos.kills_done >= args.kills
            and {e.detail for e in restarts} == {"redis", "postgres", "s3"}
            and chaos.error is None
        )
        print(f"\n{'all goals met' if ok else 'GOALS MISSED'}")
    finally:
        for client in clients:
            client.close()
        cluster.close()
        if chaos is not None:
            chaos.stop.set()
        if thread is not None:
            thread.join(timeout=60)
        db.dispose()
        for server in (s3_server, redis, postgres):
            server.stop()
        if args.keep or not ok:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        print(f"bench wall time {time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
