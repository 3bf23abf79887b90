"""``review-bot keys create|revoke|list``: manage the REST API's keys (bot/api/keys.py)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from bot.api.keys import (
    FileKeyStore,
    KeyStore,
    KeyStoreError,
    RedisKeyStore,
    default_key_file,
    new_key,
    valid_key_id,
)
from bot.api.principal import ROLES


def add_keys_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser(
        "keys",
        help="create, revoke or list REST API keys (in Redis with REDIS_URL, else a file in STATE_DIR)",
    )
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", help="create a key and print it (shown this once only)")
    create.add_argument("--user", required=True)
    create.add_argument("--org", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    revoke = actions.add_parser("revoke", help="revoke a key: its tokens stop working at once")
    revoke.add_argument("key_id", help="the key's id (the part after rbk_ and before the dot)")
    actions.add_parser("list", help="list the keys (ids, owners, roles; never secrets)")


def open_store() -> tuple[KeyStore, str]:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from bot.redis_client import connect

        return RedisKeyStore(connect(redis_url)), "Redis"
    path = default_key_file(os.environ)
    return FileKeyStore(path), str(path)


async def run_keys_command(args: argparse.Namespace) -> int:
    store, where = open_store()
    try:
        return await _run(args, store, where)
    except KeyStoreError as exc:
        print(f"review-bot keys: {exc}", file=sys.stderr)
        return 2
    finally:
        if isinstance(store, RedisKeyStore):
            await store.redis.aclose()


async def _run(args: argparse.Namespace, store: KeyStore, where: str) -> int:
    if args.keys_command == "create":
        try:
            record, key = new_key(args.user, args.org, args.role)
        except ValueError as exc:
            print(f"review-bot keys: {exc}", file=sys.stderr)
            return 2
        await store.add(record)
        print(key)  # stdout holds only the key, for a script to capture
        print(
            f"review-bot: key {record.key_id} for {record.user} ({record.org}, {record.role}) "
            f"stored in {where}; it is shown this once",
            file=sys.stderr,
        )
        return 0
    if args.keys_command == "revoke":
        if not valid_key_id(args.key_id) or not await store.revoke(args.key_id):
            print("review-bot keys: no such key id", file=sys.stderr)
            return 2
        print(f"review-bot: key {args.key_id} revoked", file=sys.stderr)
        return 0
    for record in sorted(await store.all(), key=lambda r: r.created_at):
        created = datetime.fromtimestamp(record.created_at, UTC).strftime("%Y-%m-%d %H:%M")
        state = "active" if record.active else "revoked"
        print(f"{record.key_id}  {record.org}/{record.user}  {record.role}  {created}  {state}")
    return 0
