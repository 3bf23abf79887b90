"""The lock files agree with pyproject.toml: scripts/lock.sh was run after the last dependency change.

requirements.lock is what the image installs (with --require-hashes); requirements-test.lock
constrains CI's `pip install -e '.[test]'`. A dependency added to pyproject.toml without
re-locking would make the image build fail at `pip check` and leave CI unpinned for it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, Version]:
    return {canonicalize_name(name): Version(v) for name, v in PIN.findall(path.read_text(encoding="utf-8"))}


def requirements(*, extra: str | None = None) -> list[Requirement]:
    """The runtime dependencies and build requirements, or one extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    if extra is None:
        texts = project["project"]["dependencies"] + project["build-system"]["requires"]
    else:
        texts = project["project"]["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


def unmet(reqs: list[Requirement], locked: dict[str, Version]) -> list[str]:
    return [
        f"{req} (locked: {locked.get(canonicalize_name(req.name), 'missing')})"
        for req in reqs
        if canonicalize_name(req.name) not in locked
        or not req.specifier.contains(locked[canonicalize_name(req.name)], prereleases=True)
    ]


@pytest.mark.parametrize(
    ("lock", "extra"),
    [("requirements.lock", None), ("requirements-test.lock", None), ("requirements-test.lock", "test")],
)
def test_lock_satisfies_pyproject(lock: str, extra: str | None) -> None:
    reqs = requirements(extra=extra)
    if lock == "requirements-test.lock" and extra is None:
        # The test lock need not pin the build backend: pip builds `-e .` in isolation.
        reqs = [r for r in reqs if canonicalize_name(r.name) != "setuptools"]
    assert not unmet(reqs, pins(ROOT / lock)), "run scripts/lock.sh"


def test_runtime_lock_has_a_hash_for_every_pin() -> None:
    # pip --require-hashes (the image) refuses a lock with one unhashed requirement.
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert blocks
    assert all("--hash=sha256:" in block for block in blocks if PIN.match(block))


def test_both_locks_agree_on_shared_pins() -> None:
    runtime, test = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-test.lock")
    assert {n: v for n, v in runtime.items() if n in test and test[n] != v} == {}
