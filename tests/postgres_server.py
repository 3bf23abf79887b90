"""A real PostgreSQL server for the tests: a fresh cluster (initdb) in a temp dir, on a free
loopback port, its unix socket in that dir, stopped and removed after the tests.

Debian's binaries are in /usr/lib/postgresql/15/bin (PG_BIN overrides). PostgreSQL refuses to run
as root: as root, initdb and postgres run as the ``postgres`` OS user (runuser), in a temp dir that
user owns. The ``postgres_server`` fixture (one cluster per test session) yields a started
:class:`PostgresServer`; ``pg_url`` gives each test a database of its own on it. Import
``postgres_server_fixture, pg_url_fixture`` into a test module to use them.

Without the binaries the fixtures skip with the reason, unless HISTORY_PG_REQUIRED=1 (as .ci/run
sets): then a missing server is a broken machine and the tests fail.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _debian_pg_bin() -> Path:
    """The newest of Debian's installed PostgreSQL versions (15 on bookworm)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ["PG_BIN"]) if os.environ.get("PG_BIN") else _debian_pg_bin()
START_DEADLINE = 30.0  # seconds for a fresh cluster to accept connections
STOP_DEADLINE = 15.0
COMMAND_TIMEOUT = 60.0
OS_USER = "postgres"  # who runs the server when the tests run as root


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accepts(port: int, timeout: float = 0.5) -> bool:
    """True when something listens on the port (pg_isready then confirms it is PostgreSQL)."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=timeout):
        return True
    return False


class PostgresServer:
    """One throwaway cluster: ``start``, ``stop``, ``create_database``; ``url(db)`` to connect."""

    def __init__(self, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        # Not pytest's tmp_path: that is root's, mode 0700, and the postgres user could not enter it.
        self.workdir = Path(tempfile.mkdtemp(prefix="review-bot-pg-"))
        self.data = self.workdir / "data"
        self.socket_dir = self.workdir / "socket"
        self.process: subprocess.Popen[bytes] | None = None
        self.databases = itertools.count(1)
        if self.as_root:
            entry = pwd.getpwnam(OS_USER)
            os.chown(self.workdir, entry.pw_uid, entry.pw_gid)
        self.run(["mkdir", "-m", "0700", str(self.socket_dir)])

    def url(self, database: str = "postgres", scheme: str = "postgresql") -> str:
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{database}"

    def command(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", OS_USER, "--", *args] if self.as_root else args

    def run(self, args: list[str]) -> str:
        result = subprocess.run(
            self.command(args), capture_output=True, timeout=COMMAND_TIMEOUT, cwd=self.workdir, check=False
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")[-2000:]
            raise RuntimeError(f"{Path(args[0]).name} exited with {result.returncode}: {output}")
        return result.stdout.decode(errors="replace")

    def initdb(self) -> None:
        # Trust on loopback only: a cluster for one test run, reachable by nobody else.
        self.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"]
        )  # fmt: skip

    def start(self) -> None:
        if not self.data.exists():
            self.initdb()
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.socket_dir),
            "fsync": "off",  # a throwaway cluster: durability costs time and buys nothing here
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "16MB",
            "max_connections": "60",
        }
        args = [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        with open(self.workdir / "postgres.log", "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                self.command(args), stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.workdir
            )
        deadline = time.monotonic() + START_DEADLINE
        while not (accepts(self.port) and self.ready()):
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"postgres did not accept connections within {START_DEADLINE:g} s")
            time.sleep(0.05)

    def ready(self) -> bool:
        result = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return result.returncode == 0

    def create_database(self) -> str:
        """A new empty database; its name."""
        name = f"test_{next(self.databases)}"
        self.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ]
        )
        return name

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster), SIGKILL past the deadline."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        pid = self.postmaster_pid() or process.pid  # with runuser, the postmaster is its child
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        try:
            process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait(timeout=STOP_DEADLINE)

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        return None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(
                (self.workdir / "postgres.log").read_text(errors="replace").splitlines()[-lines:]
            )
        return "(no log)"


def require_postgres() -> None:
    """Skip when PostgreSQL's binaries are missing (fail with HISTORY_PG_REQUIRED=1)."""
    missing = [
        name for name in ("initdb", "postgres", "pg_isready", "createdb") if not (PG_BIN / name).exists()
    ]
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser")
    if not missing:
        if os.geteuid() == 0:
            with contextlib.suppress(KeyError):
                pwd.getpwnam(OS_USER)
                return
            missing.append(f"the {OS_USER} OS user")
        else:
            return
    message = (
        f"PostgreSQL is not installed: no {', '.join(missing)} in {PG_BIN} (apt-get install -y postgresql)"
    )
    if os.environ.get("HISTORY_PG_REQUIRED") == "1":
        pytest.fail(f"HISTORY_PG_REQUIRED=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="session", name="postgres_server")
def postgres_server_fixture() -> Iterator[PostgresServer]:
    """A started PostgreSQL of this test session (one initdb for all the tests that need it)."""
    require_postgres()
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(name="pg_url")
def pg_url_fixture(postgres_server: PostgresServer) -> str:
    """A fresh empty database on the session's server, as a postgresql:// URL."""
    return postgres_server.url(postgres_server.create_database())
