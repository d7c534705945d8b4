"""The database handle: one engine per process, a session per request or task run.

SQLite (the embedded shape) gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` transactions: with
several threads and worker processes writing, a deferred transaction that reads and then writes
can fail at once with "database is locked" instead of waiting, so every transaction takes the
write lock up front and waits its turn (readers are never blocked in WAL mode).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off; BEGIN is emitted below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process death; WAL-safe
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, reader: bool = False, begin: bool = True) -> Engine:
    """``reader``: an engine for read-only sessions; on SQLite it begins deferred transactions,
    which in WAL mode never wait for the writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if not reader:
            event.listen(engine, "begin", _sqlite_begin)
        elif begin:
            event.listen(engine, "begin", _sqlite_begin_deferred)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # psycopg 3 unless told otherwise
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(False)
        return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r} in STORYREEL_DATABASE_URL: "
        "use sqlite:///path/to/file.db or postgresql://user:password@host/dbname"
    )


class Database:
    """An engine and its session factory; ``session()`` is the commit boundary."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers: dict[str, sessionmaker[Session]] = {}
        # SQLite has one writer at a time and every transaction takes the write lock up front
        # (BEGIN IMMEDIATE); threads that find it taken poll with sleeps of up to 100 ms and the
        # newest often wins, so under contention a commit can wait a second or more. Queueing
        # this process's transactions on a lock hands it over as soon as it is free.
        self._write_lock: AbstractContextManager[Any] = (
            threading.RLock() if self.backend == "sqlite" else nullcontext()
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self._write_lock, self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self, *, snapshot: bool = True) -> Iterator[Session]:
        """A read-only unit of work: reads never queue behind writers, so status polls stay fast
        while tasks commit. Closing (not rolling back) leaves loaded objects readable.

        ``snapshot=False`` is for a single statement: on SQLite it runs without BEGIN/ROLLBACK
        (each statement sees its own consistent state), two round trips fewer per poll."""
        mode = "snapshot" if snapshot else "statement"
        if mode not in self._readers:
            if self.backend != "sqlite":
                engine = self.engine
            else:
                engine = make_engine(self.url, reader=True, begin=snapshot)
            self._readers[mode] = sessionmaker(engine, expire_on_commit=False)
        with self._readers[mode]() as session:
            yield session

    def dispose(self) -> None:
        for factory in self._readers.values():
            if factory.kw["bind"] is not self.engine:
                factory.kw["bind"].dispose()
        self.engine.dispose()
