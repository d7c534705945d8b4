"""Structured JSON logs: a request's lines carry its request id, a task run's its task id."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest

from storyreel.api.logs import configure_logging
from tests.api.kit import Api


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("json", stream=buffer)
    yield buffer
    root.handlers, root.level = saved


def _records(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def test_request_and_task_lines_carry_their_ids(log_lines: io.StringIO, api: Api) -> None:
    alice = api.register("alice")
    made = api.client.post(
        "/api/v1/images/generate",
        json={"prompt": "a paper boat on a pond", "width": 256, "height": 144},
        headers=alice.headers,
    )
    assert made.status_code == 202, made.text
    task_id, request_id = made.json()["id"], made.headers["x-request-id"]
    deadline = time.monotonic() + 60
    while api.client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()[
        "status"
    ] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.2)  # the run's last line is written just after its commit
    records = _records(log_lines)
    access = [r for r in records if r.get("request_id") == request_id]
    assert access and access[-1]["route"] == "/api/v1/images/generate"
    assert access[-1]["status"] == 202 and access[-1]["user_id"] == alice.user_id
    run = [r for r in records if r.get("task_id") == task_id]
    assert run and run[-1]["task_kind"] == "image.generate" and run[-1]["outcome"] == "succeeded"
    assert all(isinstance(r["timestamp"], str) and r["level"] for r in records)
