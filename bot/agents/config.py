"""``agent_config.yaml``: which model the coder and reviewer agents talk to, and how long they may talk.

Where it is read from (:func:`find_agent_config`): ``--agent-config FILE``, else the
``REVIEW_BOT_AGENT_CONFIG`` environment variable, else ``agent_config.yaml`` in the working
directory. No file means no model: reviews run without the dialogue.

Shape (every key optional; unknown keys, wrong types and bad values are a
:class:`bot.config.ConfigError` saying ``<file>: <key.path>: problem``)::

    llm:
      provider: openai          # openai | azure | openai-compatible
      base_url: null            # required for openai-compatible, e.g. http://localhost:8000/v1
      api_key_env: OPENAI_API_KEY   # the NAME of the variable holding the key, never the key
      timeout_seconds: 60       # the whole dialogue, retries included
      max_tokens_per_review: 60000
      context_window: null      # the model's context in tokens; default 128000 for OpenAI's
                                # own model names (gpt-*, o1*, o3*, o4*), 8192 otherwise
      azure:                    # provider: azure only, and then required
        endpoint: https://my-resource.openai.azure.com
        api_version: "2024-06-01"
        deployment: null        # optional: one deployment for both agents; by default each
                                # agent's ``model`` is also its deployment name
    agents:
      coder:    {model: gpt-4o, temperature: 0.3, focus_areas: [functionality, bugs, performance]}
      reviewer: {model: gpt-4o, temperature: 0.1, focus_areas: [security, maintainability, best_practices]}
    conversation:
      max_turns: 6              # agent messages, at least 2 (one each)
      resolution_keywords: [resolved, agreed, confirmed]

The API key: :func:`api_key` reads the variable named by ``llm.api_key_env``. Local
OpenAI-compatible servers (Ollama, vLLM, llama.cpp) usually want no key, so for
``openai-compatible`` a missing variable gives the placeholder ``"not-needed"`` (the OpenAI
client refuses an empty key). The key is never stored in these objects, so no repr or log
line can show it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config import ConfigError, coerce

PROVIDERS = ("openai", "azure", "openai-compatible")
DEFAULT_FILE = "agent_config.yaml"
ENV_VAR = "REVIEW_BOT_AGENT_CONFIG"
NO_KEY_PLACEHOLDER = "not-needed"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPENAI_NAMES = re.compile(r"^(gpt-|o1|o3|o4|chatgpt-)")
# autogen logs every prompt and reply (PR code, and any secret a PR holds) at INFO, the OpenAI
# client every request body at DEBUG: these stay at WARNING unless the operator names a level.
MODEL_LOGGERS = ("autogen_core", "autogen_agentchat", "autogen_ext", "openai")
MODEL_LOG_LEVEL_ENV = "REVIEW_BOT_MODEL_LOG_LEVEL"


@dataclass(frozen=True)
class AzureConfig:
    endpoint: str
    api_version: str
    deployment: str | None = None


@dataclass(frozen=True)
class LLMConfig:
    provider: str = "openai"
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    timeout_seconds: float = 60.0
    max_tokens_per_review: int = 60000
    context_window: int | None = None
    azure: AzureConfig | None = None


@dataclass(frozen=True)
class AgentSpec:
    name: str
    model: str = "gpt-4o"
    temperature: float = 0.2
    focus_areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConversationConfig:
    max_turns: int = 6
    resolution_keywords: tuple[str, ...] = ("resolved", "agreed", "confirmed")


DEFAULT_CODER = AgentSpec("coder", "gpt-4o", 0.3, ("functionality", "bugs", "performance"))
DEFAULT_REVIEWER = AgentSpec("reviewer", "gpt-4o", 0.1, ("security", "maintainability", "best_practices"))


@dataclass(frozen=True)
class AgentConfig:
    llm: LLMConfig = LLMConfig()
    coder: AgentSpec = DEFAULT_CODER
    reviewer: AgentSpec = DEFAULT_REVIEWER
    conversation: ConversationConfig = ConversationConfig()
    path: Path | None = field(default=None, compare=False)  # where it was read, for messages

    def context_window(self, spec: AgentSpec) -> int:
        """The context the smaller model offers; OpenAI's own models have 128k, others we assume 8k."""
        if self.llm.context_window is not None:
            return self.llm.context_window
        return 128_000 if _OPENAI_NAMES.match(spec.model) else 8192


def quiet_model_loggers(env: Mapping[str, str]) -> None:
    """Keep the model libraries' loggers at WARNING (or at $REVIEW_BOT_MODEL_LOG_LEVEL, e.g. DEBUG)."""
    wanted = logging.getLevelName(env.get(MODEL_LOG_LEVEL_ENV, "").strip().upper() or "WARNING")
    level = wanted if isinstance(wanted, int) else logging.WARNING
    for name in MODEL_LOGGERS:
        logging.getLogger(name).setLevel(level)


def find_agent_config(cli_path: Path | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """The file to read: the flag, then the variable, then ./agent_config.yaml if it exists.

    A path given explicitly is returned even if missing, so loading it reports the mistake
    instead of silently running without a model.
    """
    if cli_path is not None:
        return cli_path if cli_path.is_absolute() else cwd / cli_path
    named = env.get(ENV_VAR)
    if named:
        path = Path(named)
        return path if path.is_absolute() else cwd / path
    default = cwd / DEFAULT_FILE
    return default if default.is_file() else None


def load_agent_config(path: Path) -> AgentConfig:
    """Read and check the file; every problem names the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    data = {} if data is None else data
    top = _mapping(data, f"{path}: the top level")
    _known(top, {"llm", "agents", "conversation"}, path, "")
    agents = _mapping(top.get("agents") or {}, f"{path}: agents")
    _known(agents, {"coder", "reviewer"}, path, "agents.")
    return AgentConfig(
        llm=_llm(top.get("llm") or {}, path),
        coder=_agent(agents.get("coder") or {}, DEFAULT_CODER, path),
        reviewer=_agent(agents.get("reviewer") or {}, DEFAULT_REVIEWER, path),
        conversation=_conversation(top.get("conversation") or {}, path),
        path=path,
    )


def api_key(config: AgentConfig, env: Mapping[str, str]) -> str:
    """The key from the environment; a ConfigError naming the variable (never a value) when unset."""
    name = config.llm.api_key_env
    value = env.get(name, "").strip()
    if value:
        return value
    if config.llm.provider == "openai-compatible":
        return NO_KEY_PLACEHOLDER
    where = config.path or DEFAULT_FILE
    raise ConfigError(f"set {name} (named by llm.api_key_env in {where})")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a mapping, got {type(value).__name__}")
    return value


def _known(section: Mapping[str, Any], allowed: set[str], path: Path, prefix: str) -> None:
    unknown = sorted(str(k) for k in section if k not in allowed)
    if unknown:
        raise ConfigError(f"{path}: {prefix}{unknown[0]}: unknown key (known: {', '.join(sorted(allowed))})")


def _get(section: Mapping[str, Any], key: str, expected: type, default: Any, where: str) -> Any:
    """The value as ``expected`` (None keeps the default); coerce() words the type error."""
    value = section.get(key)
    if value is None:
        return default
    return coerce(value, expected, f"{where}{key}:")


def _llm(raw: Any, path: Path) -> LLMConfig:
    section = _mapping(raw, f"{path}: llm")
    allowed = {
        "provider",
        "base_url",
        "api_key_env",
        "timeout_seconds",
        "max_tokens_per_review",
        "context_window",
        "azure",
    }
    _known(section, allowed, path, "llm.")
    where = f"{path}: llm."
    provider = _get(section, "provider", str, "openai", where)
    if provider not in PROVIDERS:
        raise ConfigError(f"{where}provider: must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    base_url = _get(section, "base_url", str, None, where)
    if base_url is not None and not re.match(r"^https?://[^\s/]+", base_url):
        raise ConfigError(f"{where}base_url: must be an http(s) URL, got {base_url!r}")
    if provider == "openai-compatible" and not base_url:
        raise ConfigError(f"{where}base_url: required when provider is openai-compatible")
    key_env = _get(section, "api_key_env", str, "OPENAI_API_KEY", where)
    if not _ENV_NAME.match(key_env):
        raise ConfigError(f"{where}api_key_env: must name an environment variable, got {key_env!r}")
    timeout = _get(section, "timeout_seconds", float, 60.0, where)
    budget = _get(section, "max_tokens_per_review", int, 60000, where)
    window = _get(section, "context_window", int, None, where)
    _at_least(timeout, 0.001, f"{where}timeout_seconds")
    _at_least(budget, 1000, f"{where}max_tokens_per_review")
    if window is not None:
        _at_least(window, 1000, f"{where}context_window")
    azure = _azure(section.get("azure"), path) if provider == "azure" else None
    if provider != "azure" and section.get("azure") is not None:
        raise ConfigError(f"{where}azure: only for provider azure")
    return LLMConfig(provider, base_url, key_env, timeout, budget, window, azure)


def _azure(raw: Any, path: Path) -> AzureConfig:
    where = f"{path}: llm.azure"
    if raw is None:
        raise ConfigError(f"{where}: required when provider is azure (endpoint, api_version)")
    section = _mapping(raw, where)
    _known(section, {"endpoint", "api_version", "deployment"}, path, "llm.azure.")
    values = {k: _get(section, k, str, None, f"{where}.") for k in ("endpoint", "api_version", "deployment")}
    for key in ("endpoint", "api_version"):
        if not values[key]:
            raise ConfigError(f"{where}.{key}: required when provider is azure")
    return AzureConfig(**values)


def _agent(raw: Any, default: AgentSpec, path: Path) -> AgentSpec:
    where = f"{path}: agents.{default.name}."
    section = _mapping(raw, where.rstrip("."))
    _known(section, {"model", "temperature", "focus_areas"}, path, f"agents.{default.name}.")
    model = _get(section, "model", str, default.model, where)
    if not model.strip():
        raise ConfigError(f"{where}model: must not be empty")
    temperature = _get(section, "temperature", float, default.temperature, where)
    if not 0.0 <= temperature <= 2.0:
        raise ConfigError(f"{where}temperature: must be between 0 and 2, got {temperature}")
    focus = _get(section, "focus_areas", tuple, default.focus_areas, where)
    return AgentSpec(default.name, model, temperature, tuple(f.strip() for f in focus if f.strip()))


def _conversation(raw: Any, path: Path) -> ConversationConfig:
    where = f"{path}: conversation."
    section = _mapping(raw, where.rstrip("."))
    _known(section, {"max_turns", "resolution_keywords"}, path, "conversation.")
    turns = _get(section, "max_turns", int, 6, where)
    _at_least(turns, 2, f"{where}max_turns")
    keywords = _get(section, "resolution_keywords", tuple, ConversationConfig().resolution_keywords, where)
    words = tuple(k.strip() for k in keywords if k.strip())
    if not words:
        raise ConfigError(f"{where}resolution_keywords: must name at least one word")
    return ConversationConfig(turns, words)


def _at_least(value: float, least: float, where: str) -> None:
    if value < least:
        raise ConfigError(f"{where}: must be at least {least:g}, got {value}")
