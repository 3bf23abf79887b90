"""agent_config.yaml: where it is found, what it may say, and the API key it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.agents.config import (
    NO_KEY_PLACEHOLDER,
    AgentConfig,
    api_key,
    find_agent_config,
    load_agent_config,
)
from bot.config import ConfigError

ISSUE_EXAMPLE = """\
llm:
  provider: openai          # openai | azure | openai-compatible
  base_url: null            # e.g. http://localhost:8000/v1 for Ollama, vLLM, llama.cpp
  api_key_env: OPENAI_API_KEY
  timeout_seconds: 60
  max_tokens_per_review: 60000
agents:
  coder:    {model: gpt-4o, temperature: 0.3, focus_areas: [functionality, bugs, performance]}
  reviewer: {model: gpt-4o, temperature: 0.1, focus_areas: [security, maintainability, best_practices]}
conversation:
  max_turns: 6
  resolution_keywords: [resolved, agreed, confirmed]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent_config.yaml"
    path.write_text(text)
    return path


def test_the_issue_example_loads(tmp_path: Path) -> None:
    config = load_agent_config(write(tmp_path, ISSUE_EXAMPLE))
    assert config.llm.provider == "openai" and config.llm.timeout_seconds == 60.0
    assert config.coder.model == "gpt-4o" and config.coder.temperature == 0.3
    assert config.reviewer.focus_areas == ("security", "maintainability", "best_practices")
    assert config.conversation.max_turns == 6
    assert config.conversation.resolution_keywords == ("resolved", "agreed", "confirmed")
    assert config.context_window(config.coder) == 128_000


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_agent_config(write(tmp_path, "")) == AgentConfig()


def test_a_local_server_with_a_model_autogen_does_not_know(tmp_path: Path) -> None:
    text = """\
llm: {provider: openai-compatible, base_url: "http://localhost:11434/v1", context_window: 32768}
agents: {coder: {model: llama3.1}, reviewer: {model: qwen2.5-coder}}
"""
    config = load_agent_config(write(tmp_path, text))
    assert config.llm.base_url == "http://localhost:11434/v1"
    assert config.context_window(config.coder) == 32768


def test_azure_needs_endpoint_and_api_version(tmp_path: Path) -> None:
    good = (
        "llm: {provider: azure, azure: {endpoint: 'https://x.openai.azure.com', api_version: '2024-06-01'}}"
    )
    assert load_agent_config(write(tmp_path, good)).llm.azure.api_version == "2024-06-01"
    with pytest.raises(ConfigError, match=r"llm\.azure: required"):
        load_agent_config(write(tmp_path, "llm: {provider: azure}"))
    with pytest.raises(ConfigError, match=r"llm\.azure\.api_version: required"):
        load_agent_config(write(tmp_path, "llm: {provider: azure, azure: {endpoint: 'https://x'}}"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("llms: {}", r"agent_config\.yaml: llms: unknown key"),
        ("llm: {timeout: 5}", r"agent_config\.yaml: llm\.timeout: unknown key"),
        ("agents: {critic: {}}", r"agents\.critic: unknown key"),
        ("agents: {coder: {modle: x}}", r"agents\.coder\.modle: unknown key"),
        ("llm: {timeout_seconds: soon}", r"llm\.timeout_seconds: must be float, got 'soon'"),
        ("llm: {max_tokens_per_review: 1.5}", r"llm\.max_tokens_per_review: must be int"),
        ("conversation: {max_turns: true}", r"conversation\.max_turns: must be int"),
        (
            "conversation: {resolution_keywords: [1]}",
            r"conversation\.resolution_keywords: must be a list of strings",
        ),
        ("agents: {coder: [gpt-4o]}", r"agents\.coder: must be a mapping"),
        ("llm: {provider: anthropic}", r"llm\.provider: must be one of openai, azure, openai-compatible"),
        ("agents: {reviewer: {temperature: 2.5}}", r"agents\.reviewer\.temperature: must be between 0 and 2"),
        ("conversation: {max_turns: 1}", r"conversation\.max_turns: must be at least 2"),
        ("llm: {provider: openai-compatible}", r"llm\.base_url: required when provider is openai-compatible"),
        ("llm: {base_url: 'localhost:8000'}", r"llm\.base_url: must be an http\(s\) URL"),
        ("llm: {api_key_env: 'sk-abc'}", r"llm\.api_key_env: must name an environment variable"),
        ("- a list", r"the top level: must be a mapping"),
        ("llm: {provider: [", r"not valid YAML"),
    ],
)
def test_problems_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_agent_config(write(tmp_path, text))
    assert str(info.value).startswith(str(tmp_path / "agent_config.yaml"))


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_agent_config(tmp_path / "nope.yaml")


def test_a_missing_api_key_says_which_variable_to_set(tmp_path: Path) -> None:
    config = load_agent_config(write(tmp_path, "llm: {api_key_env: MY_LLM_KEY}"))
    with pytest.raises(ConfigError) as info:
        api_key(config, {})
    assert str(info.value) == f"set MY_LLM_KEY (named by llm.api_key_env in {tmp_path / 'agent_config.yaml'})"
    assert api_key(config, {"MY_LLM_KEY": "sk-test-123"}) == "sk-test-123"


def test_a_local_openai_compatible_server_needs_no_key(tmp_path: Path) -> None:
    config = load_agent_config(
        write(tmp_path, "llm: {provider: openai-compatible, base_url: 'http://h:1/v1'}")
    )
    assert api_key(config, {}) == NO_KEY_PLACEHOLDER


def test_the_config_never_holds_the_key(tmp_path: Path) -> None:
    config = load_agent_config(write(tmp_path, ISSUE_EXAMPLE))
    api_key(config, {"OPENAI_API_KEY": "sk-very-secret-value"})
    assert "sk-very-secret-value" not in repr(config)


def test_the_flag_wins_then_the_variable_then_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "agent_config.yaml").write_text("")
    env = {"REVIEW_BOT_AGENT_CONFIG": "from-env.yaml"}
    assert find_agent_config(Path("flag.yaml"), env, tmp_path) == tmp_path / "flag.yaml"
    assert find_agent_config(None, env, tmp_path) == tmp_path / "from-env.yaml"
    assert find_agent_config(None, {}, tmp_path) == tmp_path / "agent_config.yaml"
    assert find_agent_config(None, {}, tmp_path / "elsewhere") is None
