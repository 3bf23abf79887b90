"""Settings of the REST API: environment variables ``API_*`` and the ``api:`` section of the
service YAML (REVIEW_BOT_CONFIG).

Kept beside the API rather than in bot/config.py so that the core settings stay about the
GitHub App; bot/config.py only lets the ``api`` section through.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzers.safe_yaml import YamlLimitError, load_bounded
from bot.api.auth import JwtConfig
from bot.api.principal import ROLES

log = logging.getLogger(__name__)


class ApiConfigError(Exception):
    """The API's configuration is wrong; the message says which setting (never its value)."""


@dataclass(frozen=True)
class Tier:
    """The limits of one role: requests per day (the quota) and per minute (the rate)."""

    daily: int
    per_minute: int


DEFAULT_TIERS: dict[str, Tier] = {
    "read": Tier(daily=2_000, per_minute=60),
    "analyze": Tier(daily=10_000, per_minute=120),
    "admin": Tier(daily=50_000, per_minute=600),
}


@dataclass(frozen=True)
class ApiSettings:
    jwt: JwtConfig = field(default_factory=JwtConfig)
    cors_origins: tuple[str, ...] = ()  # exact origins ("https://tools.example.com"); never "*"
    max_body_bytes: int = 64 * 1024
    tiers: Mapping[str, Tier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    # The windows of the two limits; tests shorten them ("2 seconds") to see a reset.
    quota_window: str = "1 day"
    rate_window: str = "1 minute"
    token_requests_per_minute: int = 30  # POST /auth/token, per client address
    keys_file: Path | None = None  # None: bot.api.keys.default_key_file(env)
    redis_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ApiSettings:
        algorithm = (env.get("API_JWT_ALGORITHM") or "HS256").upper()
        if algorithm not in ("HS256", "RS256"):
            raise ApiConfigError("API_JWT_ALGORITHM must be HS256 or RS256")
        secret = env.get("API_JWT_SECRET") or None
        private_key = _pem(env, "API_JWT_PRIVATE_KEY")
        public_key = _pem(env, "API_JWT_PUBLIC_KEY")
        if algorithm == "HS256" and not secret:
            # One process can still serve the API; tokens then die with it and are not shared by
            # replicas, so this is said once in the log.
            log.warning("API_JWT_SECRET is not set: API tokens are signed with a per-process secret")
            secret = secrets.token_urlsafe(48)
        if algorithm == "HS256" and secret and len(secret) < 32:
            raise ApiConfigError("API_JWT_SECRET must be at least 32 characters")
        if algorithm == "RS256" and not (private_key and public_key):
            raise ApiConfigError("RS256 needs API_JWT_PRIVATE_KEY(_PATH) and API_JWT_PUBLIC_KEY(_PATH)")
        jwt = JwtConfig(
            algorithm="HS256" if algorithm == "HS256" else "RS256",
            secret=secret if algorithm == "HS256" else None,
            private_key=private_key,
            public_key=public_key,
            issuer=env.get("API_JWT_ISSUER") or "review-bot",
            audience=env.get("API_JWT_AUDIENCE") or "review-bot-api",
            lifetime=_positive(env, "API_TOKEN_TTL", 24 * 3600),
        )
        origins = tuple(o.strip() for o in (env.get("API_CORS_ORIGINS") or "").split(",") if o.strip())
        settings = cls(
            jwt=jwt,
            cors_origins=check_origins(origins),
            keys_file=Path(env["API_KEYS_FILE"]) if env.get("API_KEYS_FILE") else None,
            redis_url=env.get("REDIS_URL") or None,
        )
        if env.get("REVIEW_BOT_CONFIG"):
            settings = settings.with_yaml(Path(env["REVIEW_BOT_CONFIG"]))
        return settings

    def with_yaml(self, path: Path) -> ApiSettings:
        try:
            data = load_bounded(path.read_text()) or {}
        except (OSError, YamlLimitError):
            return self  # bot/config.py reads the same file first and reports what is wrong with it
        section = data.get("api") if isinstance(data, dict) else None
        if section is None:
            return self
        if not isinstance(section, dict):
            raise ApiConfigError(f"{path}: api must be a mapping")
        return self.with_section(section, str(path))

    def with_section(self, section: Mapping[str, Any], where: str = "api") -> ApiSettings:
        known = {"cors_origins", "max_body_bytes", "token_ttl", "issuer", "audience", "quotas"}
        for key in section:
            if key not in known:
                raise ApiConfigError(f"{where}: unknown key api.{str(key)[:40]}")
        updated = self
        if "cors_origins" in section:
            origins = section["cors_origins"]
            if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
                raise ApiConfigError(f"{where}: api.cors_origins must be a list of origins")
            updated = replace(updated, cors_origins=check_origins(tuple(origins)))
        if "max_body_bytes" in section:
            updated = replace(
                updated, max_body_bytes=_bounded_int(section["max_body_bytes"], "max_body_bytes")
            )
        jwt = updated.jwt
        if "token_ttl" in section:
            jwt = replace(jwt, lifetime=_bounded_int(section["token_ttl"], "token_ttl"))
        for key in ("issuer", "audience"):
            if key in section:
                if not isinstance(section[key], str) or not section[key]:
                    raise ApiConfigError(f"{where}: api.{key} must be a string")
                jwt = replace(jwt, **{key: section[key]})
        updated = replace(updated, jwt=jwt)
        if "quotas" in section:
            updated = replace(updated, tiers=parse_tiers(section["quotas"], where))
        return updated


def parse_tiers(value: Any, where: str) -> dict[str, Tier]:
    """``quotas: {read: {daily: 1000, per_minute: 60}, ...}``: a role not named keeps its default."""
    if not isinstance(value, dict):
        raise ApiConfigError(f"{where}: api.quotas must map roles to {{daily, per_minute}}")
    tiers = dict(DEFAULT_TIERS)
    for role, limits in value.items():
        if role not in ROLES or not isinstance(limits, dict) or set(limits) - {"daily", "per_minute"}:
            raise ApiConfigError(f"{where}: api.quotas.{str(role)[:20]} must be {{daily, per_minute}}")
        base = tiers[role]
        tiers[role] = Tier(
            daily=_bounded_int(limits.get("daily", base.daily), f"quotas.{role}.daily"),
            per_minute=_bounded_int(limits.get("per_minute", base.per_minute), f"quotas.{role}.per_minute"),
        )
    return tiers


def check_origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    for origin in origins:
        # An exact origin only: a wildcard would hand every site the caller's credentials.
        if origin == "*" or "*" in origin or not origin.startswith(("https://", "http://")):
            raise ApiConfigError("CORS origins must be exact origins like https://tools.example.com")
        if origin.rstrip("/").count("/") > 2:
            raise ApiConfigError("a CORS origin has no path: scheme://host[:port]")
    return tuple(o.rstrip("/") for o in origins)


def _pem(env: Mapping[str, str], name: str) -> str | None:
    if env.get(name):
        return env[name]
    if env.get(f"{name}_PATH"):
        try:
            return Path(env[f"{name}_PATH"]).read_text()
        except OSError as exc:
            raise ApiConfigError(f"{name}_PATH: cannot read the file: {exc.strerror}") from None
    return None


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return _bounded_int(int(raw), name)
    except ValueError:
        raise ApiConfigError(f"{name} must be a whole number") from None


def _bounded_int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10**9:
        raise ApiConfigError(f"{name} must be a whole number from 1 to 1,000,000,000")
    return value
