"""The PostgreSQL and Redis fixtures give real, working, isolated servers."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import text

from storyreel.db.session import Database
from tests.services import PostgresServer, RedisServer, start_postgres


def connect(sqlalchemy_url: str) -> psycopg.Connection[tuple[object, ...]]:
    """Plain psycopg takes the same URL without SQLAlchemy's driver suffix."""
    return psycopg.connect(sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://"))


def test_postgres_stores_and_returns_rows(postgres_url: str) -> None:
    with connect(postgres_url) as conn:
        conn.execute("CREATE TABLE story (id serial PRIMARY KEY, title text NOT NULL)")
        conn.execute("INSERT INTO story (title) VALUES (%s), (%s)", ["灯塔", "harbour"])
        conn.commit()
    with connect(postgres_url) as conn:  # a new session sees the committed rows
        rows = conn.execute("SELECT id, title FROM story ORDER BY id").fetchall()
    assert rows == [(1, "灯塔"), (2, "harbour")]


def test_postgres_gives_each_test_an_empty_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_url != postgres_server.url
    with connect(postgres_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)
        assert conn.execute("SHOW max_connections").fetchone() == ("200",)


def test_postgres_session_database_exists(postgres_server: PostgresServer) -> None:
    assert postgres_server.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert postgres_server.url.endswith("/storyreel_test")
    with connect(postgres_server.url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("storyreel_test",)


def test_postgres_restart_keeps_data_and_the_pool_reconnects(tmp_path: Path) -> None:
    server = start_postgres(tmp_path)  # its own: a restart must not touch the session's
    try:
        url = server.create_database("kept")
        with connect(url) as conn:
            conn.execute("CREATE TABLE story (id serial PRIMARY KEY, title text NOT NULL)")
            conn.execute("INSERT INTO story (title) VALUES (%s), (%s)", ["灯塔", "harbour"])
            conn.commit()
        db = Database(url)  # pool_pre_ping, as every storyreel process has it
        try:
            with db.session() as s:  # a pooled connection, open across the restart
                assert s.scalar(text("SELECT count(*) FROM story")) == 2
            port = server.port

            server.restart()

            assert server.running and server.port == port and server.url_for("kept") == url
            with connect(url) as conn:  # the database and its rows are still there
                rows = conn.execute("SELECT id, title FROM story ORDER BY id").fetchall()
            assert rows == [(1, "灯塔"), (2, "harbour")]
            # The pool's connection died with the old server: pre-ping replaces it unseen.
            with db.session() as s:
                s.execute(text("INSERT INTO story (title) VALUES ('after')"))
            with db.session() as s:
                assert s.scalar(text("SELECT count(*) FROM story")) == 3
        finally:
            db.dispose()
    finally:
        server.stop()
    assert not server.running


def test_redis_set_get(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        client.set("story:1", "灯塔")
        assert client.get("story:1") == "灯塔".encode()


def test_redis_is_flushed_between_tests(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        assert client.dbsize() == 0


def test_redis_restart_keeps_port_and_serves_again(
    redis_server: RedisServer, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("before", "1")
    port = redis_server.port

    redis_server.restart()

    assert redis_server.port == port
    assert redis_server.url == redis_url
    assert client.ping()  # the client reconnects by itself on the same URL
    assert client.get("before") is None  # no persistence: a restart comes back empty
    client.close()


def test_redis_killed_then_started_again(redis_server: RedisServer, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.ping()
    redis_server.kill()
    assert not redis_server.running
    with pytest.raises(redis.ConnectionError):
        client.ping()
    redis_server.start()
    assert client.ping()
    client.close()
