"""API benchmark: `storyreel serve` as a user runs it, driven over loopback by a load generator.

Starts a real server (a fresh SQLite database in a temp dir, the embedded executor and reaper)
in its own process, registers 20 users through the API, then measures with an asyncio load
generator that keeps N HTTP/1.1 keep-alive connections busy (a closed loop: each connection
sends its next request as soon as the answer arrives):

  1. ``GET /api/v1/tasks/{id}`` from 50 concurrent clients (the 20 users polling their own
     tasks): first at a steady 300 requests/s offered (an open loop, each request timed from
     when it was due, as wrk2 does), then as fast as the server answers (a closed loop);
  2. ``POST /api/v1/projects`` (auto=false: the storyboard is written, nothing is rendered) at
     50 concurrent clients: throughput, p50, p99;
  3. 100 projects (auto=true, preview quality, short stories) created at once by 20 users, then
     polled until every one has finished: wall time, and how many succeeded.

Rate limits stay on (per user); the per-IP limit is raised because every client here shares
127.0.0.1. Targets on a 2-core machine: GET /tasks/{id} p99 <= 50 ms at >= 300 requests/s,
no errors anywhere.

    python bench/api.py [--seconds 15] [--clients 50] [--projects 100] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGET_RPS = 300.0
TARGET_P99_MS = 50.0
PASSWORD = "bench-password-1"
STORY = (
    "The lighthouse keeper climbed the stairs at dusk. "
    "A ship's lights blinked far out at sea, and he lit the great lamp for it."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_server(data_dir: Path) -> Server:
    env = {
        **os.environ,
        "STORYREEL_DATA_DIR": str(data_dir),
        "STORYREEL_ADMIN_PASSWORD": PASSWORD,
        "STORYREEL_RATE_LIMITS__PER_IP": "1000000/minute",
        "STORYREEL_RATE_LIMITS__AUTH_PER_IP": "100000/minute",
    }
    exe = Path(sys.executable).with_name("storyreel")
    subprocess.run([str(exe), "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    log = data_dir / "serve.log"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    server = Server(port, proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=1):
                return server
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"storyreel serve exited:\n{log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    server.stop()
    raise SystemExit("storyreel serve did not answer /healthz within 60 s")


def call(server: Server, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for _ in range(10):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            # A polite client: the load phases can leave a user near their rate limit.
            if exc.code != 429:
                raise
            time.sleep(float(exc.headers.get("Retry-After", "1")))
    raise SystemExit(f"{method} {path}: still rate-limited after 10 tries")


# --- the load generator --------------------------------------------------------------------


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    answers: list[tuple[str, bytes]] = field(default_factory=list)  # (token, body)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def failed(self) -> int:
        return self.errors + sum(n for status, n in self.statuses.items() if status >= 400)


Request = Callable[[int], tuple[str, str, bytes | None, str]]  # n -> (method, path, body, token)


async def _connection(
    port: int,
    make: Request,
    stop_at: float,
    budget: list[int],
    load: Load,
    keep: bool,
    interval: float | None,
) -> None:
    """One client. ``interval``: send on a fixed schedule (open loop) and time each request
    from when it was due, so a slow server cannot hide its queueing (no coordinated omission);
    ``None``: send the next request as soon as the answer arrives (closed loop)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = time.perf_counter() + (random.uniform(0, interval) if interval else 0.0)
    try:
        while time.monotonic() < stop_at and budget[0] != 0:
            budget[0] -= 1
            if interval is not None:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            method, path, body, token = make(len(load.latencies_ms))
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body or b'')}\r\n\r\n"
            ).encode()
            started = due if interval is not None else time.perf_counter()
            due += interval or 0.0
            writer.write(head + (body or b""))
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            payload = await reader.readexactly(length)
            load.latencies_ms.append((time.perf_counter() - started) * 1000)
            status = int(status_line.split()[1]) if status_line else 0
            load.statuses[status] = load.statuses.get(status, 0) + 1
            if keep:
                load.answers.append((token, payload))
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        load.errors += 1
    finally:
        writer.close()


async def _drive(
    port: int,
    clients: int,
    seconds: float,
    total: int,
    make: Request,
    keep: bool,
    rate: float | None,
) -> Load:
    load = Load()
    budget = [total]  # -1: unlimited (bounded by time)
    started = time.monotonic()
    stop_at = started + seconds
    interval = clients / rate if rate else None
    await asyncio.gather(
        *(_connection(port, make, stop_at, budget, load, keep, interval) for _ in range(clients))
    )
    load.seconds = time.monotonic() - started
    return load


def drive(
    server: Server,
    clients: int,
    make: Request,
    *,
    seconds: float = 3600,
    total: int = -1,
    keep: bool = False,
    rate: float | None = None,
) -> Load:
    """``rate``: requests per second offered by all clients together (open loop)."""
    return asyncio.run(_drive(server.port, clients, seconds, total, make, keep, rate))


# --- the scenario --------------------------------------------------------------------------


def register_users(server: Server, count: int) -> list[str]:
    tokens = []
    for i in range(count):
        email = f"bench{i}@example.com"
        call(server, "POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD})
        login = call(server, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
        tokens.append(login["access_token"])
    return tokens


def project_body(i: int, auto: bool) -> bytes:
    return json.dumps(
        {
            "title": f"Bench {i}",
            "story": STORY,
            "style": "watercolor",
            "auto": auto,
            "quality": "preview",
            "music": "none",
        }
    ).encode()


def wait_finished(
    server: Server, projects: list[tuple[str, str]], timeout: float
) -> dict[str, int]:
    """Poll until no project has work left; returns the final status counts."""
    deadline = time.monotonic() + timeout
    pending = dict(projects)
    final: dict[str, str] = {}
    while pending and time.monotonic() < deadline:
        for pid, token in list(pending.items()):
            status = call(server, "GET", f"/api/v1/projects/{pid}", token=token)["status"]
            if status not in ("running", "draft"):
                final[pid] = status
                del pending[pid]
        time.sleep(1.0)
    counts: dict[str, int] = {}
    for status in [*final.values(), *(["unfinished"] * len(pending))]:
        counts[status] = counts.get(status, 0) + 1
    return counts


def report(name: str, load: Load) -> None:
    print(
        f"{name:<34} {load.requests:>7} req {load.rps:>8.1f} req/s "
        f"p50 {load.pct(0.50):>7.1f} ms  p99 {load.pct(0.99):>7.1f} ms  "
        f"errors {load.failed} {dict(sorted(load.statuses.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 s phases, 20 projects")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.projects = 5.0, 20

    with tempfile.TemporaryDirectory(prefix="storyreel-bench-api-") as tmp:
        server = start_server(Path(tmp))
        try:
            tokens = register_users(server, args.users)
            # Every user polls the storyboard task of a project of their own.
            owned = [
                (
                    call(server, "POST", "/api/v1/projects", json.loads(project_body(i, False)), t)[
                        "storyboard_task_id"
                    ],
                    t,
                )
                for i, t in enumerate(tokens)
            ]
            time.sleep(3)  # the storyboards are written; the engine is idle again
            print(f"cpus {os.cpu_count()}  server pid {server.proc.pid}  clients {args.clients}")

            def get_task(n: int) -> tuple[str, str, bytes | None, str]:
                task_id, token = owned[n % len(owned)]
                return "GET", f"/api/v1/tasks/{task_id}", None, token

            drive(server, args.clients, get_task, seconds=2)  # warm-up, not reported
            reads = drive(server, args.clients, get_task, seconds=args.seconds, rate=TARGET_RPS)
            report(f"GET /tasks/{{id}} at {TARGET_RPS:.0f}/s offered", reads)
            most = drive(server, args.clients, get_task, seconds=args.seconds)
            report("GET /tasks/{id} closed loop", most)

            def create(n: int) -> tuple[str, str, bytes | None, str]:
                return "POST", "/api/v1/projects", project_body(n, False), tokens[n % len(tokens)]

            creates = drive(server, args.clients, create, seconds=args.seconds, total=1000)
            report("POST /projects (auto=false)", creates)

            # Let the storyboards of phase 2 finish so phase 3 starts on an idle engine.
            time.sleep(1)

            def create_auto(n: int) -> tuple[str, str, bytes | None, str]:
                return "POST", "/api/v1/projects", project_body(n, True), tokens[n % len(tokens)]

            started = time.monotonic()
            burst = drive(server, args.users, create_auto, total=args.projects, keep=True)
            report(f"{args.projects} x POST /projects (auto)", burst)
            made = [
                (json.loads(body)["id"], token)
                for token, body in burst.answers
                if body.startswith(b'{"id"')
            ]
            counts = wait_finished(server, made, timeout=1800)
            took = time.monotonic() - started
            print(f"{len(made)} projects by {args.users} users finished in {took:.1f} s: {counts}")

            ok_reads = reads.rps >= 0.98 * TARGET_RPS and reads.pct(0.99) <= TARGET_P99_MS
            all_done = counts.get("done", 0) == args.projects
            no_errors = not (reads.failed or most.failed or creates.failed or burst.failed)
            print(
                f"target GET /tasks/{{id}} >= {TARGET_RPS:.0f} req/s at p99 <= "
                f"{TARGET_P99_MS:.0f} ms: {'met' if ok_reads else 'MISSED'}; "
                f"all projects done: {'yes' if all_done else 'NO'}; "
                f"errors: {'none' if no_errors else 'SOME'}"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
