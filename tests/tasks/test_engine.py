"""The task engine's contract (DESIGN.md, Tasks), on SQLite and PostgreSQL, with real threads."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from storyreel.db.repositories import tasks as repo
from storyreel.db.types import utcnow
from storyreel.tasks import service
from storyreel.tasks.events import project_channel
from storyreel.tasks.model import PermanentError, RetryableError, ServiceUnavailable, TaskSpec
from storyreel.tasks.reaper import MAX_LOST_RUNS, reap
from storyreel.tasks.runner import EngineTiming, Runner, TaskContext
from tests.tasks.kit import Kit


@pytest.fixture
def kit(database_url: str) -> Iterator[Kit]:
    k = Kit(database_url)
    yield k
    k.close()


def test_dag_runs_dependents_after_their_dependencies(kit: Kit) -> None:
    finished: dict[str, float] = {}
    started: dict[str, float] = {}

    def work(ctx: TaskContext) -> dict[str, str]:
        started[ctx.params["name"]] = time.monotonic()
        time.sleep(0.05)
        finished[ctx.params["name"]] = time.monotonic()
        return {"name": ctx.params["name"]}

    kit.kind("step", work)
    a = kit.submit("step", params={"name": "a"})
    b = kit.submit("step", a, params={"name": "b"})
    c = kit.submit("step", a, params={"name": "c"})
    d = kit.submit("step", b, c, params={"name": "d"})
    assert kit.task(d).status == "blocked" and kit.task(a).status == "queued"
    kit.start()
    tasks = kit.wait(a, b, c, d)
    assert [t.status for t in tasks] == ["succeeded"] * 4
    assert started["b"] >= finished["a"] and started["c"] >= finished["a"]
    assert started["d"] >= max(finished["b"], finished["c"])
    assert kit.task(d).result == {"name": "d"}
    assert set(kit.runs.values()) == {1}


def test_a_permanent_failure_fails_every_dependent(kit: Kit) -> None:
    def bad(ctx: TaskContext) -> None:
        raise PermanentError("the story is empty")

    kit.kind("bad", bad)
    kit.kind("ok")
    a = kit.submit("bad")
    b = kit.submit("ok", a)
    c = kit.submit("ok", b)
    kit.start()
    ta, tb, tc = kit.wait(a, b, c)
    assert ta.status == "failed" and ta.attempts == 1  # no retry for bad input
    assert ta.error == {
        "code": "invalid_input",
        "message": "the story is empty",
        "retryable": False,
    }
    assert tb.status == tc.status == "failed"
    assert tb.error is not None and tb.error["code"] == "dependency_failed"
    assert kit.runs[b] == kit.runs[c] == 0


def test_retryable_errors_retry_with_backoff_then_succeed(kit: Kit) -> None:
    attempts: list[float] = []

    def flaky(ctx: TaskContext) -> dict[str, int]:
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise RetryableError("provider timed out")
        return {"attempt": len(attempts)}

    kit.kind("flaky", flaky, max_attempts=4)
    t = kit.submit("flaky")
    kit.start()
    (task,) = kit.wait(t)
    assert task.status == "succeeded" and task.attempts == 3 and task.result == {"attempt": 3}
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert all(g >= kit.timing.backoff_base_s * 0.9 for g in gaps)


def test_a_task_that_always_crashes_stops_at_max_attempts(kit: Kit) -> None:
    def crash(ctx: TaskContext) -> None:
        raise ZeroDivisionError("division by zero")

    kit.kind("poison", crash, max_attempts=3)
    t = kit.submit("poison")
    kit.start()
    (task,) = kit.wait(t)
    assert task.status == "failed" and task.attempts == 3 and kit.runs[t] == 3
    assert task.error is not None and task.error["code"] == "crashed"
    assert task.error["message"] == "gave up after 3 attempts: ZeroDivisionError: division by zero"


def test_a_task_over_its_timeout_is_stopped_and_counted_as_retryable(kit: Kit) -> None:
    def slow(ctx: TaskContext) -> None:
        ctx.cancel.wait(10)
        ctx.cancel.raise_if_cancelled()

    kit.kind("slow", slow, max_attempts=2, timeout_s=0.3)
    t = kit.submit("slow")
    kit.start()
    (task,) = kit.wait(t)
    assert task.status == "failed" and task.attempts == 2
    assert task.error is not None and task.error["code"] == "timeout"


def test_the_same_idempotency_key_submits_once(kit: Kit) -> None:
    kit.kind("once")
    first = kit.submit("once", idempotency_key="upload-42")
    second = kit.submit("once", idempotency_key="upload-42")
    assert first == second
    kit.start()
    kit.wait(first)
    assert kit.runs[first] == 1


def test_higher_priority_runs_first_within_a_class(database_url: str) -> None:
    kit = Kit(database_url, concurrency={"cpu": 1})
    order: list[int] = []
    kit.kind("p", lambda ctx: order.append(ctx.params["p"]) or {})
    ids = [kit.submit("p", params={"p": p}, priority=p) for p in (0, 5, 1, 9, 3)]
    kit.start()
    kit.wait(*ids)
    kit.close()
    assert order == [9, 5, 3, 1, 0]


def test_a_resource_class_never_runs_more_than_its_limit(database_url: str) -> None:
    kit = Kit(database_url, concurrency={"gpu": 2, "cpu": 3})
    lock = threading.Lock()
    now = {"gpu": 0}
    peak = {"gpu": 0}

    def gpu_work(ctx: TaskContext) -> None:
        with lock:
            now["gpu"] += 1
            peak["gpu"] = max(peak["gpu"], now["gpu"])
        time.sleep(0.05)
        with lock:
            now["gpu"] -= 1

    kit.kind("render-frame", gpu_work, resource="gpu")
    ids = [kit.submit("render-frame") for _ in range(12)]
    kit.start()
    kit.wait(*ids)
    kit.close()
    assert peak["gpu"] == 2


def test_cancel_stops_a_running_task_and_cascades(kit: Kit) -> None:
    stopped = threading.Event()

    def long(ctx: TaskContext) -> None:
        ctx.cancel.wait(20)
        stopped.set()
        ctx.cancel.raise_if_cancelled()

    kit.kind("long", long)
    kit.kind("after")
    a = kit.submit("long")
    b = kit.submit("after", a)
    kit.start()
    kit.wait_status(a, "running")
    with kit.db.session() as s:
        cancelled = {t.id for t in service.cancel(s, a)}
    assert cancelled == {a, b}
    assert stopped.wait(5), "the handler never saw its cancel token"
    ta, tb = kit.wait(a, b)
    assert ta.status == tb.status == "cancelled" and kit.runs[b] == 0


def test_retry_runs_a_failed_task_and_its_dependents_again(kit: Kit) -> None:
    healthy = threading.Event()

    def sometimes(ctx: TaskContext) -> None:
        if not healthy.is_set():
            raise PermanentError("bad key")

    kit.kind("s", sometimes)
    kit.kind("after")
    a = kit.submit("s")
    b = kit.submit("after", a)
    kit.start()
    kit.wait(a, b)
    healthy.set()
    with kit.db.session() as s:
        service.retry(s, a, kit.kinds)
    ta, tb = kit.wait(a, b)
    assert ta.status == tb.status == "succeeded" and ta.attempts == 1


def test_invalidate_reruns_exactly_what_is_downstream(kit: Kit) -> None:
    kit.kind("step")
    a = kit.submit("step")
    b = kit.submit("step", a)
    c = kit.submit("step", b)
    other = kit.submit("step", a)
    kit.start()
    kit.wait(a, b, c, other)
    with kit.db.session() as s:
        stale = {t.id for t in service.invalidate(s, [b], kit.kinds)}
    assert stale == {b, c}
    kit.wait(a, b, c, other)
    assert kit.runs == {a: 1, b: 2, c: 2, other: 1}


def test_tasks_reach_the_executor_only_after_commit(kit: Kit) -> None:
    seen: list[tuple[str, bool]] = []

    class Recorder:
        def submit(self, task_id: str, queue: str, priority: int, eta: object) -> None:
            with kit.db.session() as s:  # a fresh transaction: the row must be visible
                seen.append((task_id, repo.get(s, task_id) is not None))

        def cancel(self, task_id: str) -> None: ...

    kit.hooks.executor = Recorder()  # type: ignore[assignment]
    kit.kind("k")
    with pytest.raises(RuntimeError), kit.db.session() as s:
        service.submit(s, TaskSpec(kind="k"), kit.kinds)
        raise RuntimeError("request failed after submitting")
    assert seen == []
    with kit.db.session() as s:
        task = service.submit(s, TaskSpec(kind="k"), kit.kinds)
        assert seen == []
    assert seen == [(task.id, True)]
    with kit.db.session() as s:
        assert repo.count_by_status(s) == {"queued": 1}


def test_events_arrive_in_order_with_sequence_numbers(kit: Kit) -> None:
    from storyreel.db.models import Project

    with kit.db.session() as s:
        project = Project(title="t", story="s", style="cinematic")
        s.add(project)
    sub = kit.bus.subscribe(project_channel(project.id))
    kit.kind("step", lambda ctx: ctx.progress(50, "half", force=True) or {})
    a = kit.submit("step", project_id=project.id)
    b = kit.submit("step", a, project_id=project.id)
    kit.start()
    kit.wait(a, b)
    events = []
    while (event := sub.get(timeout=0.5)) is not None:
        events.append(event)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for task_id in (a, b):
        mine = [(e["status"], e["progress"]) for e in events if e["task_id"] == task_id]
        assert [m[0] for m in mine][-3:] == ["running", "running", "succeeded"]
        assert ("running", 50.0) in mine
    assert next(e["status"] for e in events if e["task_id"] == b) == "blocked"


# --- leases, the reaper and fencing -----------------------------------------------------------


def test_a_task_longer_than_its_lease_keeps_it_by_heartbeating(database_url: str) -> None:
    kit = Kit(database_url, timing=EngineTiming(lease_s=0.6, heartbeat_s=0.15))
    kit.kind("long", lambda ctx: time.sleep(2.0) or {})
    t = kit.submit("long")
    kit.start()
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:  # a reaper as eager as it can be
        assert reap(kit.db).requeued == []
        time.sleep(0.05)
    (task,) = kit.wait(t)
    kit.close()
    assert task.status == "succeeded" and task.attempts == 1 and kit.runs[t] == 1


def test_a_task_whose_runner_died_before_its_first_heartbeat_is_requeued(kit: Kit) -> None:
    kit.kind("k")
    t = kit.submit("k")
    dead = Runner(
        kit.db, kit.kinds, timing=EngineTiming(lease_s=0.3, heartbeat_s=10), worker="dead"
    )
    claim = dead.claim(t)  # claimed, then the process "died": no heartbeat, no result
    assert claim is not None and kit.task(t).status == "running"
    time.sleep(0.4)
    report = reap(kit.db)
    assert report.requeued == [t]
    kit.start()
    (task,) = kit.wait(t)
    assert task.status == "succeeded" and task.attempts == 2 and task.fence == claim.fence + 2


@pytest.mark.parametrize("late", ["result", "failure"])
def test_a_stale_runners_late_write_is_refused_by_the_fence(kit: Kit, late: str) -> None:
    release = threading.Event()

    def work(ctx: TaskContext) -> dict[str, str]:
        if ctx.claim.attempts == 1:
            release.wait(10)  # the first runner stalls (a GC pause, a frozen VM...)
            if late == "failure":
                raise RetryableError("the stale runner's late failure")
            return {"by": "stale runner"}
        return {"by": "replacement"}

    kit.kind("k", work)
    t = kit.submit("k")
    stalled = Runner(kit.db, kit.kinds, timing=EngineTiming(lease_s=0.3, heartbeat_s=60))
    claim = stalled.claim(t)
    assert claim is not None
    outcome: list[str] = []
    thread = threading.Thread(target=lambda: outcome.append(stalled.execute(claim)))
    thread.start()
    time.sleep(0.4)
    assert reap(kit.db).requeued == [t]
    kit.start()
    kit.wait_status(t, "succeeded")
    release.set()
    thread.join(5)
    assert outcome == ["fenced"]
    task = kit.task(t)
    assert task.status == "succeeded" and task.result == {"by": "replacement"}
    assert task.error is None and task.attempts == 2


def test_a_runner_that_loses_its_lease_stops_its_task(kit: Kit) -> None:
    stopped = threading.Event()

    def work(ctx: TaskContext) -> None:
        ctx.cancel.wait(10)
        stopped.set()

    kit.kind("k", work)
    t = kit.submit("k")
    kit.start()
    kit.wait_status(t, "running")
    with kit.db.session() as s:  # someone else takes the task over: the fence moves on
        task = repo.get(s, t)
        assert task is not None
        task.fence += 1
        task.lease_expires_at = utcnow() + timedelta(seconds=60)
    assert stopped.wait(3), "the runner kept working without its lease"


def _lose_a_run(kit: Kit, task_id: str) -> None:
    """A runner claims the task and dies (no heartbeat); the reaper finds the lease expired."""
    dead = Runner(kit.db, kit.kinds, timing=EngineTiming(lease_s=0.1, heartbeat_s=10))
    assert dead.claim(task_id) is not None
    time.sleep(0.15)
    reap(kit.db)


def test_reaper_fails_a_task_that_keeps_killing_its_worker(kit: Kit) -> None:
    kit.kind("k")
    t = kit.submit("k", max_attempts=2)
    after = kit.submit("k", t)
    for _ in range(MAX_LOST_RUNS - 1):
        _lose_a_run(kit, t)
        assert kit.task(t).status == "queued"  # lost runs do not spend its 2 attempts
    _lose_a_run(kit, t)
    task, dependent = kit.task(t), kit.task(after)
    assert task.status == "failed" and task.error is not None
    assert task.error["code"] == "worker_lost" and task.lost_runs == MAX_LOST_RUNS
    assert f"{MAX_LOST_RUNS} times" in task.error["message"]
    assert dependent.status == "failed"


def test_runs_lost_with_a_worker_leave_the_tasks_own_attempts(kit: Kit) -> None:
    failures = []

    def work(ctx: TaskContext) -> dict[str, int]:
        if len(failures) < 2:
            failures.append(ctx.claim.attempts)
            raise RetryableError("a provider timed out")
        return {"runs": ctx.claim.attempts}

    kit.kind("k", work)
    t = kit.submit("k", max_attempts=3)
    for _ in range(3):  # three unrelated worker losses first (a long render on a busy cluster)
        _lose_a_run(kit, t)
    with kit.db.session() as s:  # no backoff waits in a test
        row = repo.get(s, t)
        assert row is not None
        row.not_before = None
    kit.runner.timing = EngineTiming(backoff_base_s=0.01, backoff_max_s=0.02)
    kit.start()
    task = kit.wait_status(t, "succeeded")
    # Two failures of its own and a success: its 3 attempts, after 3 runs lost with workers.
    assert task.result == {"runs": 6} and task.lost_runs == 3


def test_a_store_outage_is_waited_out_without_spending_attempts(kit: Kit) -> None:
    outages = []

    def work(ctx: TaskContext) -> dict[str, int]:
        if len(outages) < 4:  # more outages than the task has attempts
            outages.append(ctx.claim.attempts)
            raise ServiceUnavailable("cannot reach the S3 server")
        return {"attempt": ctx.claim.attempts}

    kit.kind("k", work)
    t = kit.submit("k", max_attempts=2)
    kit.runner.timing = EngineTiming(backoff_base_s=0.01, outage_backoff_max_s=0.05)
    kit.start()
    task = kit.wait_status(t, "succeeded")
    assert outages == [1, 1, 1, 1] and task.result == {"attempt": 1}
    assert task.error is None


def test_an_outage_longer_than_the_budget_fails_the_task(kit: Kit) -> None:
    def work(ctx: TaskContext) -> None:
        raise ServiceUnavailable("cannot reach the S3 server")

    kit.kind("k", work)
    t = kit.submit("k", max_attempts=2)
    kit.runner.timing = EngineTiming(
        backoff_base_s=0.01, outage_backoff_max_s=0.02, outage_budget_s=0.3, backoff_max_s=0.02
    )
    kit.start()
    task = kit.wait_status(t, "failed")
    assert task.error is not None and task.error["code"] == "unavailable"
    assert "cannot reach the S3 server" in task.error["message"]


def test_many_workers_share_the_queue_without_running_a_task_twice(database_url: str) -> None:
    kits = [Kit(database_url, concurrency={"cpu": 3}, migrated=(i == 0)) for i in range(3)]
    # Long enough that one worker cannot drain the queue before the others have started, even
    # on a loaded machine (150 x 20 ms is 1 s for one worker of concurrency 3).
    for k in kits:
        k.kind("n", lambda ctx: time.sleep(0.02) or {})
    ids = [kits[0].submit("n") for _ in range(150)]
    for k in kits:
        k.start()
    kits[0].wait(*ids, timeout=60)
    total = sum((k.runs for k in kits), start=kits[0].runs.__class__())
    for k in kits:
        k.close()
    assert set(total) == set(ids) and set(total.values()) == {1}
    assert all(k.runs for k in kits), "every worker should have taken some of the work"


def test_a_dependent_of_tasks_finishing_at_once_is_released_exactly_once(
    database_url: str,
) -> None:
    """Fan-in under concurrency: many pairs finish together; every join must be queued."""
    kit = Kit(database_url, concurrency={"cpu": 6})
    gate = threading.Barrier(2, timeout=10)

    def together(ctx: TaskContext) -> None:
        gate.wait()  # both parents of a join finish in the same instant

    kit.kind("parent", together)
    kit.kind("join")
    joins = []
    for _ in range(20):
        a, b = kit.submit("parent"), kit.submit("parent")
        joins.append(kit.submit("join", a, b))
    kit.start()
    tasks = kit.wait(*joins, timeout=60)
    kit.close()
    assert [t.status for t in tasks] == ["succeeded"] * 20
    assert all(kit.runs[j] == 1 for j in joins)


def test_a_failed_dependency_found_on_invalidate_fails_everything_downstream(kit: Kit) -> None:
    def bad(ctx: TaskContext) -> None:
        raise PermanentError("broken")

    kit.kind("ok")
    kit.kind("bad", bad)
    r = kit.submit("ok")
    f = kit.submit("bad")
    x = kit.submit("ok", r)
    t = kit.submit("ok", x, f)
    u = kit.submit("ok", r, t)
    kit.start()
    kit.wait(r, f, x, t, u)
    with kit.db.session() as s:
        service.invalidate(s, [r], kit.kinds)
    tasks = kit.wait(r, f, x, t, u)
    assert [task.status for task in tasks] == [
        "succeeded",
        "failed",
        "succeeded",
        "failed",
        "failed",
    ]


def test_same_idempotency_key_submitted_at_once_gives_one_task(kit: Kit) -> None:
    kit.kind("k")
    results: list[str] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        results.append(kit.submit("k", idempotency_key="same"))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(results)) == 1


def test_the_reaper_releases_a_blocked_task_whose_dependencies_all_succeeded(kit: Kit) -> None:
    kit.kind("k")
    a = kit.submit("k")
    b = kit.submit("k", a)
    with kit.db.session() as s:  # as if the release had been lost
        task = repo.get(s, a)
        assert task is not None
        task.status = "succeeded"
    assert reap(kit.db).released == [b]
    kit.start()
    (tb,) = kit.wait(b)
    assert tb.status == "succeeded" and kit.runs[b] == 1
