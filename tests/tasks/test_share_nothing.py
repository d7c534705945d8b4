"""The cluster shape for real: PostgreSQL, Redis and an S3 server; one ``storyreel serve`` and
two ``storyreel worker --executor celery`` processes on different queues, each with its own
empty data folder — nothing shared but the services.

A Chinese story is made into a film through the REST API; the worker running the render is
killed with SIGKILL mid-render and the other one finishes it (taking the segments the dead one
had shared instead of encoding them again); the film is downloaded through the API with a Range
request; deleting the project leaves none of its blobs in the bucket, caches included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storyreel.db.models import Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.domain.blob_keys import render_cache_prefix
from storyreel.media.probe import probe
from storyreel.settings import S3Settings
from tests.cluster import FAST_RECOVERY, ApiClient, ShareNothingCluster, wait_until
from tests.services import SeaweedServer

pytestmark = pytest.mark.slow

STORY = (
    "老周是一位守灯塔的老人，他每天傍晚都会爬上一百二十级台阶，点亮塔顶的灯。"
    "一天夜里，海上起了大风，一艘小渔船在浪里迷失了方向。"
    "老周把灯调到最亮，又敲响了铜钟，钟声穿过风雨传到了海面上。"
    "渔船顺着光和钟声慢慢靠岸，船上的小女孩向灯塔挥手。"
    "第二天早上，女孩带着一篮鲜鱼来看老周，他们一起坐在礁石上看日出。"
)
PREFIX = "storyreel"


@pytest.fixture
def cluster(
    tmp_path: Path,
    postgres_url: str,
    redis_url: str,
    s3_bucket: str,
    s3_settings: S3Settings,
) -> Iterator[ShareNothingCluster]:
    made = ShareNothingCluster(
        root=tmp_path,
        database_url=postgres_url,
        broker_url=redis_url,
        storage_url=f"s3://{s3_bucket}/{PREFIX}",
        s3=s3_settings,
        timing=FAST_RECOVERY,
    )
    try:
        yield made
    finally:
        made.close()


def _keys(server: SeaweedServer, bucket: str, prefix: str = "") -> list[str]:
    """Every key in the bucket under ``PREFIX/prefix``, without ``PREFIX/``."""
    pages = server.client().get_paginator("list_objects_v2")
    found = []
    for page in pages.paginate(Bucket=bucket, Prefix=f"{PREFIX}/{prefix}"):
        found += [item["Key"][len(PREFIX) + 1 :] for item in page.get("Contents", [])]
    return found


def _render_task(db: Database, project_id: str) -> Task | None:
    with db.session() as s:
        return next((t for t in tasks_repo.for_project(s, project_id) if t.kind == "render"), None)


def test_a_chinese_story_survives_a_killed_render_worker_and_leaves_no_blob_behind(
    cluster: ShareNothingCluster, s3_server: SeaweedServer, s3_bucket: str
) -> None:
    cluster.migrate()
    cluster.start_api()
    gpu_cpu = cluster.start_worker("gpu,cpu")
    cpu_io_llm = cluster.start_worker("cpu,io,llm")
    user = ApiClient(cluster.api_url, "zhou@example.com")
    db = Database(cluster.database_url)
    try:
        project = user.create_project(STORY, target_seconds=24, title="灯塔")
        project_id = project["id"]

        # Kill the render's worker once it has shared a finished segment, mid-render.
        render = wait_until(
            "the render running",
            lambda: (t := _render_task(db, project_id)) and t.status == "running" and t,
            240,
            cluster.logs,
        )
        shared = f"{render_cache_prefix(project_id)}/segments/"
        wait_until(
            "a segment shared",
            lambda: any(k.endswith(".mp4") for k in _keys(s3_server, s3_bucket, shared)),
            120,
            cluster.logs,
        )
        victim = cluster.worker_by_pid(int(render.lease_owner.split(":")[-2]))  # host:pid:id
        assert victim is not None, render.lease_owner
        assert _render_task(db, project_id).status == "running", "the render finished too soon"
        victim.kill()
        survivor = cpu_io_llm if victim is gpu_cpu else gpu_cpu

        done = wait_until(
            "the project done",
            lambda: (t := _render_task(db, project_id)) and t.status == "succeeded" and t,
            240,
            cluster.logs,
        )
        assert done.attempts == 2, cluster.logs()  # the killed run, then the survivor's
        assert survivor.alive, cluster.logs()
        result = done.result
        # The survivor took what the dead worker had shared and encoded only the rest.
        assert result["fetched_segments"], result
        assert sorted(result["fetched_segments"] + result["encoded_segments"]) == sorted(
            set(result["segment_keys"])
        )
        tasks = user.tasks(project_id)
        assert {t["status"] for t in tasks} == {"succeeded"}, tasks
        assert [t["attempts"] for t in tasks if t["kind"] != "render"] == [1] * (len(tasks) - 1)

        latest = user.project(project_id)["latest_render"]
        assert latest is not None and latest["duration"] > 10
        video_url = latest["video"]["url"]

        # Seek as a <video> does: a Range request, redirected to the store, answered 206.
        first = user.http.get(video_url, headers={"Range": "bytes=0-1023"})
        assert first.status_code == 307, first.text
        target = first.headers["location"]
        assert target.startswith(str(cluster.s3.endpoint_url)), target
        part = httpx.get(target, headers={"Range": "bytes=0-1023"}, timeout=30)
        assert part.status_code == 206 and len(part.content) == 1024
        assert part.headers["content-range"].endswith(f"/{latest['size_bytes']}")
        assert part.content[4:8] == b"ftyp"
        whole = httpx.get(target, timeout=60)
        film = cluster.root / "film.mp4"
        film.write_bytes(whole.content)
        info = probe(film)
        assert info.video is not None and info.audio is not None
        assert info.duration is not None and abs(info.duration - latest["duration"]) < 0.2
        srt = user.http.get(latest["srt"]["url"], follow_redirects=True)
        assert srt.status_code == 200 and "灯塔" in srt.content.decode("utf-8"), srt.text[:200]

        # Every blob of the project is in the bucket under the project... until it is deleted.
        with db.session() as s:
            asset_keys = set(projects_repo.blob_keys(s, project_id))
        stored = set(_keys(s3_server, s3_bucket))
        assert asset_keys and asset_keys <= stored
        assert user.http.delete(f"/api/v1/projects/{project_id}").status_code == 204
        # Its files, its provider results (the story's storyboard among them) and the render
        # files its workers shared: the bucket holds nothing else, so it is empty again.
        assert stored > asset_keys  # the caches were there too
        assert _keys(s3_server, s3_bucket) == []
    finally:
        user.close()
        db.dispose()
