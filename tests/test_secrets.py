"""SecretsAnalyzer with the real detect-secrets.

The secrets are built from parts at run time, so this file holds no realistic secret string
that a scanner (or this bot) would flag.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from analyzers.secrets import SecretsAnalyzer
from tests.files import write_file

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("detect_secrets") is None, reason="detect-secrets is not installed"
)

AWS_KEY_ID = "AKIA" + "ZQ7R4TXW" + "N2KD5PLM"
AWS_SECRET = "".join(("tR8vK2mW9qXz4LpN", "7sD3fH6jB1cV5gY0", "eU2iO8aS"))
GITHUB_TOKEN = "gh" + "p_" + "Xk9Lm2Np4Qr6St8Uv0Wx" + "3Yz5Ab7Cd9Ef1Gh2Ij4"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAq3\n-----END RSA " + "PRIVATE KEY-----\n"


async def _run(root: Path, paths: list[str], seconds: float = 60):
    return await SecretsAnalyzer().run(root, paths, timeout=seconds)


async def test_private_key_cloud_key_and_token_are_errors(tmp_path: Path) -> None:
    key = write_file(tmp_path, "deploy/id_rsa", PEM)
    config = write_file(
        tmp_path,
        "settings.py",
        f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\n'
        f'aws_secret_access_key = "{AWS_SECRET}"\n'
        f'TOKEN = "{GITHUB_TOKEN}"\n',
    )
    result = await _run(tmp_path, [key, config])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    found = {(f.path, f.line, f.rule_id, f.severity) for f in result.findings}
    assert ("deploy/id_rsa", 1, "private-key", "error") in found
    assert ("settings.py", 1, "aws-access-key", "error") in found
    assert ("settings.py", 3, "github-token", "error") in found
    assert any(f.line == 2 for f in result.findings if f.path == "settings.py")  # the AWS secret
    for finding in result.findings:
        assert finding.cwe == "CWE-798"
        assert "rotate" in finding.message and "history" in finding.message
        text = repr(finding.to_dict())
        for secret in (AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, "MIIEowIBAAKCAQEAq3"):
            assert secret not in text


async def test_placeholders_and_references_are_not_secrets(tmp_path: Path) -> None:
    docs = write_file(
        tmp_path, "-docs.md", 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n'
    )  # AWS's placeholder
    code = write_file(tmp_path, "app/db.py", 'password = os.environ["DB_PASSWORD"]\n')
    workflow = write_file(tmp_path, "ci.yml", "env:\n  TOKEN: ${{ secrets.GITHUB_TOKEN }}\n")
    result = await _run(tmp_path, [docs, code, workflow])
    assert result.error is None
    assert result.findings == []


async def test_keyword_password_is_a_warning(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "conf/app.ini", 'db_password = "' + "s3cr" + 'et-Pa55w0rd!"\n')
    [finding] = (await _run(tmp_path, [rel])).findings
    assert (finding.path, finding.line, finding.rule_id, finding.severity) == (
        rel,
        1,
        "secret-keyword",
        "warning",
    )


async def test_works_outside_git_and_degrades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not (tmp_path / ".git").exists()
    rel = write_file(tmp_path, "a.txt", PEM)
    monkeypatch.setenv("ANALYZER_POOL", "0")  # the CLI's run; the warm pool's: test_analyzer_pool.py
    slow = await _run(tmp_path, [rel], seconds=0.001)
    assert slow.error == "detect-secrets timed out after 0.001 s"
    monkeypatch.setattr("analyzers.secrets.sys.executable", str(tmp_path / "nope" / "python"))
    missing = await _run(tmp_path, [rel])
    assert missing.error and missing.error.startswith("detect-secrets could not start")


def test_handles_text_files_not_binaries() -> None:
    analyzer = SecretsAnalyzer()
    assert analyzer.handles(".env") and analyzer.handles("src/config.py") and analyzer.handles("id_rsa")
    assert not analyzer.handles("logo.PNG") and not analyzer.handles("dist/app.whl")
