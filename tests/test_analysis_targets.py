"""What may be analysed: SSRF and path-traversal refusals, ref checks, git's transport settings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.analysis.source import analysis_env
from bot.analysis.targets import Target, TargetRejected, check_path, check_ref, check_request, check_url
from bot.config import AnalysisSettings, ConfigError, Settings
from tests.test_analysis_support import demo_repo, request, run_git

ALLOWED = AnalysisSettings(allowed_hosts=("git.example.com", "git.example.com:8443"))


def resolving_to(*addresses: str):
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return list(addresses)

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


async def refused(url: str, settings: AnalysisSettings = ALLOWED, *addresses: str) -> str:
    with pytest.raises(TargetRejected) as caught:
        await check_url(url, settings, resolving_to(*(addresses or ("93.184.216.34",))))
    return str(caught.value)


async def test_an_allowed_https_host_with_public_addresses_is_pinned_to_them():
    resolve = resolving_to("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    target = await check_url("https://git.example.com/acme/app.git", ALLOWED, resolve)
    assert target.kind == "url" and target.port == 443 and not target.loopback
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    env = analysis_env(Path("/tmp"), target, fetching=True)
    pinned = git_config(env, "http.curloptResolve")
    assert pinned == "git.example.com:443:93.184.216.34,[2606:2800:220:1:248:1893:25c8:1946]"


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "10.255.1.2", "127.0.0.1", "127.8.9.10", "169.254.169.254", "172.16.0.1", "192.168.1.1",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
     "fe80::1", "fc00::1", "fd12::1", "::", "2002:0a00:0001::1", "ff02::1", "64:ff9b::a00:1",
     "64:ff9b::7f00:1"],
)  # fmt: skip
async def test_a_host_resolving_to_a_non_public_address_is_refused(address):
    message = await refused("https://git.example.com/acme/app.git", ALLOWED, "93.184.216.34", address)
    assert "not public" in message
    assert address not in message  # the caller learns nothing about the network behind the server


@pytest.mark.parametrize(
    "url",
    ["https://10.0.0.1/x.git", "https://127.0.0.1/x.git", "https://169.254.169.254/latest/meta-data",
     "https://[::1]/x.git", "https://[::ffff:10.0.0.1]/x.git"],
)  # fmt: skip
async def test_a_literal_private_address_is_refused_even_when_allowed_by_name(url):
    host = url.split("/")[2]
    settings = AnalysisSettings(allowed_hosts=(host.lower(),))
    assert "not public" in await refused(url, settings)


async def test_localhost_is_refused_unless_allowed_as_a_loopback_test_host():
    settings = AnalysisSettings(allowed_hosts=("localhost",))
    with pytest.raises(TargetRejected, match="not public"):
        await check_request(request("https://localhost/acme/app.git"), settings)  # the system resolver
    loopback = AnalysisSettings(loopback_hosts=("localhost",))
    target = await check_request(request("http://localhost/acme/app.git"), loopback)
    assert target.loopback and all(a in ("127.0.0.1", "::1") for a in target.addresses)


async def test_a_loopback_host_resolving_elsewhere_is_still_refused():
    settings = AnalysisSettings(loopback_hosts=("gitlab.test",))
    assert "not public" in await refused("http://gitlab.test/x.git", settings, "10.1.2.3")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "only https"),
        ("file://localhost/srv/repo.git", "only https"),
        ("ext::sh -c touch% /tmp/pwned", "printable ASCII"),
        ("ext::git-upload-pack /srv/repo", "printable ASCII"),
        ("fd::3", "only https"),
        ("ext::sh", "only https"),
        ("ssh://git@git.example.com/acme/app.git", "only https"),
        ("git@git.example.com:acme/app.git", "only https"),
        ("git://git.example.com/acme/app.git", "only https"),
        ("http://git.example.com/acme/app.git", "only https"),
        ("https://user:secret@git.example.com/acme/app.git", "credentials"),
        ("https://token@git.example.com/acme/app.git", "credentials"),
        ("https://git.example.com/acme/app.git?x=1", "query"),
        ("https://evil.example.net/acme/app.git", "allow-list"),
        ("https://git.example.com:444/acme/app.git", "allow-list"),
        ("https://git.example.com.evil.net/acme/app.git", "allow-list"),
        ("https://git.example.com\n/acme", "printable"),
        ("https://gït.example.com/acme", "ASCII"),
        ("https://git%2eexample.com/acme", "host"),
    ],
)
async def test_other_transports_and_forms_are_refused_without_echoing_secrets(url, why):
    message = await refused(url)
    assert why in message
    assert "secret" not in message and "token" not in message


async def test_an_allowed_port_is_matched_exactly():
    target = await check_url("https://git.example.com:8443/x.git", ALLOWED, resolving_to("93.184.216.34"))
    assert target.port == 8443


async def test_an_unresolvable_host_is_refused():
    async def fails(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(TargetRejected, match="cannot be resolved"):
        await check_url("https://git.example.com/x.git", ALLOWED, fails)


@pytest.mark.parametrize(
    "ref",
    ["-c", "--upload-pack=touch /tmp/x", "--output=/tmp/x", "a..b", "main\n", "ma in", "a:b", "x^{tree}",
     "x~1", "refs/heads/*", "a//b", "a/", ".hidden", "a/.b", "x.lock", "x@{0}", "\\x", "", "a" * 256],
)  # fmt: skip
def test_refs_that_are_not_plain_names_or_commit_ids_are_refused(ref):
    with pytest.raises(TargetRejected):
        check_ref(ref, "head")


@pytest.mark.parametrize(
    "ref", ["main", "feature/x-1", "refs/heads/main", "v1.2.3", "HEAD", "a" * 40, "B" * 64]
)
def test_plain_refs_and_commit_ids_pass(ref):
    assert check_ref(ref, "head").lower() == ref.lower()


async def test_a_ref_starting_with_a_dash_is_refused_before_anything_is_fetched(tmp_path):
    demo_repo(tmp_path)
    settings = AnalysisSettings(roots=(str(tmp_path),))
    with pytest.raises(TargetRejected, match="may not start with '-'"):
        await check_request(request("demo", base="--upload-pack=touch /tmp/x"), settings)


def test_a_path_under_a_root_resolves_to_its_git_dir(tmp_path):
    repo = demo_repo(tmp_path / "root")
    settings = AnalysisSettings(roots=(str(tmp_path / "root"),))
    assert check_path("demo", settings) == Target("path", str((repo / ".git").resolve()))
    assert check_path(str(repo), settings).location == str((repo / ".git").resolve())


@pytest.mark.parametrize("raw", ["../outside", "demo/../../outside", "/etc", "/", "..", "nothing-here"])
def test_traversal_and_paths_outside_the_roots_are_refused(tmp_path, raw):
    demo_repo(tmp_path / "root")
    demo_repo(tmp_path, "outside")
    with pytest.raises(TargetRejected):
        check_path(raw, AnalysisSettings(roots=(str(tmp_path / "root"),)))


def test_a_symlink_escaping_the_root_is_refused(tmp_path):
    outside = demo_repo(tmp_path / "elsewhere")
    (tmp_path / "root").mkdir()
    os.symlink(outside, tmp_path / "root" / "link")
    settings = AnalysisSettings(roots=(str(tmp_path / "root"),))
    with pytest.raises(TargetRejected, match="not a directory under"):
        check_path("link", settings)
    # and a git dir inside the root that is a symlink to one outside
    inside = tmp_path / "root" / "inner"
    inside.mkdir()
    os.symlink(outside / ".git", inside / ".git")
    with pytest.raises(TargetRejected):
        check_path("inner", settings)


def test_a_linked_worktree_or_borrowed_objects_are_refused(tmp_path):
    outside = demo_repo(tmp_path / "elsewhere")
    root = tmp_path / "root"
    root.mkdir()
    run_git(outside, "worktree", "add", "-q", str(root / "wt"), "main")
    settings = AnalysisSettings(roots=(str(root),))
    with pytest.raises(TargetRejected, match="worktree"):
        check_path("wt", settings)
    subprocess.run(
        ["git", "clone", "-q", "--shared", str(outside), str(root / "shared")], check=True, timeout=60
    )
    with pytest.raises(TargetRejected, match="outside the analysis roots"):
        check_path("shared", settings)


def test_paths_are_refused_when_no_root_is_configured(tmp_path):
    demo_repo(tmp_path)
    with pytest.raises(TargetRejected, match="not enabled"):
        check_path(str(tmp_path / "demo"), AnalysisSettings())


def git_config(env: dict[str, str], key: str) -> str:
    # Read outside any repository: only the settings the environment gives count, not the
    # .git/config of whatever checkout the tests run from (a CI clone has its own origin).
    home = Path(env["HOME"])
    out = subprocess.run(
        ["git", "config", "--get", key],
        env={**env, "GIT_CEILING_DIRECTORIES": str(home.parent)},
        cwd=home,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return out.stdout.decode().strip()


def test_git_allows_only_the_targets_transport_and_follows_no_redirect(tmp_path):
    url = Target(
        "url", "https://git.example.com/x.git", host="git.example.com", port=443, addresses=("1.2.3.4",)
    )
    env = analysis_env(tmp_path, url, fetching=False)
    assert git_config(env, "protocol.file.allow") == "never"
    assert git_config(env, "protocol.http.allow") == "never"
    assert git_config(env, "protocol.allow") == "never"
    assert git_config(env, "http.followRedirects") == "false"
    assert git_config(env, "credential.helper") == ""
    assert git_config(env, "core.hooksPath") == os.devnull
    assert git_config(env, "remote.origin.url") == ""  # reading never fetches (no lazy fetch)
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_PROTOCOL_FROM_USER"] == "0"
    path = analysis_env(tmp_path, Target("path", "/srv/x.git"), fetching=True)
    assert git_config(path, "protocol.file.allow") == "always"
    assert git_config(path, "protocol.https.allow") == "never"
    assert git_config(path, "remote.origin.url") == "/srv/x.git"


def test_settings_come_from_the_environment():
    settings = Settings.from_env(
        {"ANALYSIS_ALLOWED_HOSTS": "GitHub.com, git.example.com:8443", "ANALYSIS_ROOTS": "/srv/a:/srv/b",
         "ANALYSIS_CONCURRENCY": "3", "ANALYSIS_TIMEOUT": "60", "ANALYSIS_LOOPBACK_HOSTS": "127.0.0.1:9999"}
    ).analysis  # fmt: skip
    assert settings.allowed_hosts == ("github.com", "git.example.com:8443")
    assert settings.roots == ("/srv/a", "/srv/b") and settings.concurrency == 3 and settings.timeout == 60.0
    assert settings.loopback_hosts == ("127.0.0.1:9999",)
    with pytest.raises(ConfigError):
        Settings.from_env({"ANALYSIS_CONCURRENCY": "0"})
