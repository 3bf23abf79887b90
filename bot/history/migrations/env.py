"""Alembic's environment: always given an open connection by bot/history/migrate.py (never a URL
from a file), so migrations run on the very connection that holds the migration lock."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.history.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("the history migrations run only through bot.history.migrate (given a connection)")
run_migrations(connection)
