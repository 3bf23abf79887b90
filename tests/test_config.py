"""Settings from the environment and the service YAML."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


def test_environment(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("PEM")
    settings = Settings.from_env(
        {
            "GITHUB_APP_ID": "42",
            "GITHUB_PRIVATE_KEY_PATH": str(key),
            "GITHUB_WEBHOOK_SECRET": "s",
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
            "PORT": "9000",
        }
    )
    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert settings.private_key == "PEM" and settings.port == 9000 and settings.github_configured
    assert "PEM" not in repr(settings) and "'s'" not in repr(settings)


def test_defaults_need_nothing():
    settings = Settings.from_env({})
    assert settings.api_url == "https://api.github.com" and not settings.github_configured


def test_yaml_overlay(tmp_path):
    path = tmp_path / "bot.yaml"
    path.write_text(
        "server: {workers: 4}\nreview: {review_drafts: true, fail_on: warning, analyzer_timeout: 30}\n"
        "rate_limiting: {mutation_interval_seconds: 2, breaker_reset_seconds: 5, job_attempts: 3}\n"
    )
    settings = Settings.from_env({"REVIEW_BOT_CONFIG": str(path)})
    assert settings.workers == 4 and settings.mutation_interval == 2.0
    assert settings.breaker_reset == 5.0 and settings.job_attempts == 3
    assert settings.review.review_drafts and settings.review.fail_on == "warning"
    assert settings.review.analyzer_timeout == 30.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server: {wrkers: 4}", "unknown key server.wrkers"),
        ("review: {max_files: many}", "review.max_files must be int"),
        ("review: {review_drafts: 1}", "review.review_drafts must be bool"),
        ("review: {fail_on: sometimes}", "fail_on"),
        ("nonsense: {}", "unknown section"),
        ("- a list", "mapping"),
        ("server: [1", "not valid YAML"),
    ],
)
def test_bad_yaml_names_file_and_key(tmp_path, text, message):
    path = tmp_path / "bot.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as exc:
        Settings.from_env({"REVIEW_BOT_CONFIG": str(path)})
    assert str(path) in str(exc.value)


def test_port_must_be_a_number():
    with pytest.raises(ConfigError, match="PORT"):
        Settings.from_env({"PORT": "eighty"})
