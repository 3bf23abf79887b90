"""The history's database URL, and its schema brought to the newest migration at startup.

Replicas starting together must not race each other's DDL: on PostgreSQL the upgrade runs under
a session-level advisory lock held on the migrating connection; on SQLite under an exclusive
lock on a file beside the database (a second process on the same file waits for it)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_lock's key: any 64-bit number no other part of the application uses ("rbhist").
ADVISORY_KEY = 0x7262_6869_7374
DB_FILE = "history.sqlite3"


class HistoryConfigError(ValueError):
    """DATABASE_URL names a database the history cannot use; the message holds no password."""


def database_url(raw: str | None, state_dir: str | None = None) -> str:
    """The SQLAlchemy async URL for ``raw`` (DATABASE_URL or HISTORY_DB): postgres:// and
    postgresql:// go through asyncpg, sqlite:// through aiosqlite, a bare path is a SQLite file;
    without one, a SQLite file under ``state_dir`` (or the temporary directory)."""
    if not raw:
        base = Path(state_dir) if state_dir else temp_state_dir()
        return f"sqlite+aiosqlite:///{base / DB_FILE}"
    if "://" not in raw:
        return f"sqlite+aiosqlite:///{Path(raw).expanduser()}"
    scheme, rest = raw.split("://", 1)
    scheme = scheme.lower()
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        return f"postgresql+asyncpg://{rest}"
    if scheme in ("sqlite", "sqlite+aiosqlite"):
        return f"sqlite+aiosqlite://{rest}"
    raise HistoryConfigError(
        f"DATABASE_URL: unsupported scheme {scheme[:30]!r} (use postgresql:// or sqlite://)"
    )


def temp_state_dir() -> Path:
    """Where the history lives without DATABASE_URL or STATE_DIR: this user's dir in the temp dir."""
    return Path(tempfile.gettempdir()) / f"review-bot-{os.getuid()}"


def make_private_dir(path: Path) -> None:
    """Create ``path`` (0700). The temp dir's default is a name anyone could have created first
    (with a symlink or a database of theirs in it): it must be ours and closed to others."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path == temp_state_dir():
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise HistoryConfigError(f"{path} is not a private directory of this user; set STATE_DIR")


def safe_url(url: str) -> str:
    """``url`` without its password, for logs."""
    return make_url(url).render_as_string(hide_password=True)


def safe_error(exc: BaseException, url: str) -> str:
    """A short reason for ``exc`` that never holds the URL's password."""
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    password = make_url(url).password
    return reason.replace(str(password), "***") if password else reason


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _upgrade(connection: Connection) -> None:
    from alembic import command  # only when migrating: it is a large import
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to ``head``, once, however many processes start at the same moment."""
    async with migration_lock(engine) as connection:
        await connection.run_sync(_upgrade)
        await connection.commit()


@contextlib.asynccontextmanager
async def migration_lock(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection holding the migration lock; waiting for it is bounded by the caller's timeout."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Neither the wait for another replica's migration nor a long migration is one of the
            # short statements the session's statement_timeout is there for.
            await connection.execute(text("SET statement_timeout = 0"))
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            await connection.commit()  # the lock is the session's, not the transaction's
            try:
                yield connection
            finally:
                await connection.rollback()  # a failed upgrade leaves the transaction aborted
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                await connection.execute(text("RESET statement_timeout"))
                await connection.commit()
            return
        path = sqlite_path(str(engine.url))
        if path is None:
            yield connection
            return
        fd = await asyncio.to_thread(os.open, f"{path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            yield connection
        finally:
            os.close(fd)  # closing the descriptor releases the lock
