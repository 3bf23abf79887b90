"""API keys: created and revoked with ``review-bot keys``, stored hashed.

A key reads ``rbk_<key id>.<secret>``. The key id is public (it names the key in tokens, logs
and ``keys revoke``); only a SHA-256 digest of the secret is stored. A slow password hash
(scrypt, argon2) guards low-entropy secrets against guessing; these secrets are 256 random
bits, out of reach of any guessing, so a stretched hash would only add latency to every
token request and need no server-wide pepper that the CLI and each replica must share.

Two stores: a JSON file (under STATE_DIR by default; the CLI and the server share it) and, with
REDIS_URL, one Redis hash, so every replica sees a revocation at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Awaitable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from bot.api.principal import ROLES, Principal, Role

if TYPE_CHECKING:  # the CLI's `keys` command loads this module: no Redis library unless used
    from redis.asyncio import Redis

KEY_PREFIX = "rbk_"
REDIS_HASH = "review-bot:api-keys"
_KEY_RE = re.compile(r"rbk_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})")
_ID_RE = re.compile(r"[0-9a-f]{16}")
MAX_NAME = 100  # user and org names


class KeyStoreError(Exception):
    """The key store cannot be read or written; the message names the file, never a key."""


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    user: str
    org: str
    role: Role
    secret_sha256: str
    created_at: float
    revoked_at: float | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def principal(self) -> Principal:
        return Principal(user=self.user, org=self.org, role=self.role, key_id=self.key_id)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyRecord:
        role = data["role"]
        if role not in ROLES:
            raise ValueError("unknown role")
        return cls(
            key_id=str(data["key_id"]),
            user=str(data["user"]),
            org=str(data["org"]),
            role=cast(Role, role),
            secret_sha256=str(data["secret_sha256"]),
            created_at=float(data["created_at"]),
            revoked_at=None if data.get("revoked_at") is None else float(data["revoked_at"]),
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(user: str, org: str, role: Role) -> tuple[KeyRecord, str]:
    """A fresh record and the key to hand to its owner (shown once, never stored)."""
    check_name("user", user)
    check_name("org", org)
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = KeyRecord(key_id, user, org, role, _digest(secret), time.time())
    return record, f"{KEY_PREFIX}{key_id}.{secret}"


def check_name(what: str, value: str) -> None:
    if not value or len(value) > MAX_NAME or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]*", value):
        raise ValueError(f"{what} must be 1-{MAX_NAME} letters, digits, '.', '_', '@' or '-'")


def parse_key(api_key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    match = _KEY_RE.fullmatch(api_key)
    return (match.group(1), match.group(2)) if match else None


def secret_matches(record: KeyRecord, secret: str) -> bool:
    return hmac.compare_digest(record.secret_sha256, _digest(secret))


def valid_key_id(key_id: str) -> bool:
    return bool(_ID_RE.fullmatch(key_id))


class KeyStore(Protocol):
    async def add(self, record: KeyRecord) -> None: ...
    async def get(self, key_id: str) -> KeyRecord | None: ...
    async def revoke(self, key_id: str) -> bool: ...
    async def all(self) -> list[KeyRecord]: ...
    def cached(self, key_id: str) -> KeyRecord | None:
        """The record as last seen, without I/O that waits (for synchronous token checks)."""
        ...


async def authenticate(store: KeyStore, api_key: str) -> KeyRecord | None:
    """The active record whose secret is ``api_key``'s, else None (unknown, revoked or wrong)."""
    parsed = parse_key(api_key)
    if parsed is None:
        return None
    record = await store.get(parsed[0])
    if record is None or not record.active or not secret_matches(record, parsed[1]):
        return None
    return record


def default_key_file(env: Mapping[str, str]) -> Path:
    """Where `review-bot keys` and the server keep keys without Redis (the same rule for both)."""
    if env.get("API_KEYS_FILE"):
        return Path(env["API_KEYS_FILE"])
    if env.get("STATE_DIR"):
        return Path(env["STATE_DIR"]) / "api-keys.json"
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "review-bot" / "api-keys.json"


class FileKeyStore:
    """One JSON file, rewritten atomically under an exclusive lock; readers reload it when its
    (inode, size, mtime) changes, so a `keys revoke` in another process counts at the next request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._records: dict[str, KeyRecord] = {}

    def _load(self) -> dict[str, KeyRecord]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, {}
            return self._records
        except OSError as exc:
            raise KeyStoreError(f"{self.path}: cannot read: {exc.strerror}") from None
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if stamp != self._stamp:
            self._records = self._read()
            self._stamp = stamp
        return self._records

    def _read(self) -> dict[str, KeyRecord]:
        try:
            data = json.loads(self.path.read_text())
            return {k: KeyRecord.from_json(v) for k, v in data.get("keys", {}).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise KeyStoreError(f"{self.path}: not a readable key file") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, KeyRecord]]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            records = self._read()
            yield records
            body = json.dumps({"keys": {k: asdict(v) for k, v in records.items()}}, indent=1)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".api-keys.")
            try:
                with os.fdopen(fd, "w") as out:  # mkstemp made it 0600: the digests stay private
                    out.write(body)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    async def add(self, record: KeyRecord) -> None:
        with self._locked() as records:
            records[record.key_id] = record

    async def revoke(self, key_id: str) -> bool:
        with self._locked() as records:
            record = records.get(key_id)
            if record is None:
                return False
            if record.active:
                records[key_id] = KeyRecord(**{**asdict(record), "revoked_at": time.time()})
            return True

    async def get(self, key_id: str) -> KeyRecord | None:
        return self.cached(key_id)

    def cached(self, key_id: str) -> KeyRecord | None:
        return self._load().get(key_id)

    async def all(self) -> list[KeyRecord]:
        return list(self._load().values())


class RedisKeyStore:
    """Keys in one Redis hash (field: key id). ``get`` asks Redis each time (the REST API's
    check on every request); ``cached`` answers from the snapshot ``refresh`` keeps."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._snapshot: dict[str, KeyRecord] = {}

    async def add(self, record: KeyRecord) -> None:
        await cast("Awaitable[int]", self.redis.hset(REDIS_HASH, record.key_id, json.dumps(asdict(record))))

    async def get(self, key_id: str) -> KeyRecord | None:
        raw = await cast("Awaitable[bytes | None]", self.redis.hget(REDIS_HASH, key_id))
        record = None if raw is None else KeyRecord.from_json(json.loads(raw))
        if record is None:
            self._snapshot.pop(key_id, None)
        else:
            self._snapshot[key_id] = record
        return record

    async def revoke(self, key_id: str) -> bool:
        record = await self.get(key_id)
        if record is None:
            return False
        if record.active:
            revoked = KeyRecord(**{**asdict(record), "revoked_at": time.time()})
            await self.add(revoked)
            self._snapshot[key_id] = revoked
        return True

    async def all(self) -> list[KeyRecord]:
        raw = await cast("Awaitable[dict[bytes, bytes]]", self.redis.hgetall(REDIS_HASH))
        return [KeyRecord.from_json(json.loads(v)) for v in raw.values()]

    async def refresh(self) -> None:
        self._snapshot = {r.key_id: r for r in await self.all()}

    def cached(self, key_id: str) -> KeyRecord | None:
        return self._snapshot.get(key_id)
