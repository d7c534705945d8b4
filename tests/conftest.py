"""Shared fixtures: isolated settings, real PostgreSQL, Redis and S3 servers, small real media."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from storyreel.settings import S3Settings, Settings
from tests.services import (
    S3_ACCESS_KEY,
    S3_REGION,
    S3_SECRET_KEY,
    PostgresServer,
    RedisServer,
    SeaweedServer,
    start_postgres,
    start_redis,
    start_seaweedfs,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data dir (and so every cache) is private to the test."""
    return Settings(data_dir=tmp_path / "data", render_jobs=2)


# Real PostgreSQL and Redis (tests/services.py): one server each per session, started on first
# use; a fresh database and an empty Redis per test keep tests independent.


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of a new empty database (left behind: the cluster is thrown away)."""
    return postgres_server.create_database(f"test_{next(_database_numbers)}")


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """URL of an empty Redis, restarted first if an earlier test stopped or killed it."""
    redis_server.start()
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


_bucket_numbers = itertools.count(1)


@pytest.fixture
def s3_bucket(s3_server: SeaweedServer) -> str:
    """A new empty bucket on the test S3 server (restarted first if a test stopped it)."""
    s3_server.start()
    return s3_server.create_bucket(f"test-{next(_bucket_numbers)}")


@pytest.fixture
def s3_settings(s3_server: SeaweedServer) -> S3Settings:
    """``STORYREEL_S3__...`` for the test server: its endpoint (also the public one) and keys."""
    return S3Settings(
        endpoint_url=s3_server.endpoint_url,
        region=S3_REGION,
        access_key_id=S3_ACCESS_KEY,
        secret_access_key=S3_SECRET_KEY,
    )


@pytest.fixture
def s3_storage_url(s3_bucket: str) -> str:
    """``STORYREEL_STORAGE_URL`` for a prefix in a new bucket (pair it with ``s3_settings``)."""
    return f"s3://{s3_bucket}/storyreel"


_SERVICE_MARKERS = {
    "postgres": {"postgres_server", "postgres_url"},
    "redis": {"redis_server", "redis_url"},
    "s3": {"s3_server", "s3_bucket", "s3_settings", "s3_storage_url"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the servers they use, so ``-m "not postgres"`` needs no manual marks."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in _SERVICE_MARKERS.items():
            if used & fixtures:
                item.add_marker(marker)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend the product supports: tests using it run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storyreel.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
