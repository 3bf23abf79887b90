"""Small helpers for tests that write source files to analyze."""

from __future__ import annotations

from pathlib import Path


def write_file(root: Path, rel: str, content: str | bytes) -> str:
    """Write ``content`` at ``root/rel`` (making folders) and return ``rel``."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return rel
