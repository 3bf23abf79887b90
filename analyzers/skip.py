"""Files not worth reviewing: vendored, generated, minified, lock files, binaries.

Comments on code nobody wrote by hand are noise. The path rules follow what GitHub's
linguist marks as vendored or generated (its lists are data we cannot import here, so the
common cases are restated); the content rules catch generated and minified files anywhere.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath

VENDORED_DIRS = frozenset(
    {"node_modules", "vendor", "vendors", "third_party", "third-party", "bower_components", "site-packages",
     ".venv", "venv", "Pods", "Carthage"}
)  # fmt: skip
# Only folders that hold build output by near-universal convention; "build" or "out" often hold sources.
GENERATED_DIRS = frozenset({"dist", "__generated__", ".next", "coverage", "htmlcov"})
LOCK_FILES = frozenset(
    {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", "Cargo.lock",
     "Gemfile.lock", "composer.lock", "go.sum", "uv.lock", "pdm.lock", "packages.lock.json", "flake.lock",
     "mix.lock", "pubspec.lock", "Podfile.lock", "gradle.lockfile", "bun.lockb", "npm-shrinkwrap.json"}
)  # fmt: skip
GENERATED_GLOBS = (
    "*.min.js", "*.min.css", "*.min.mjs", "*-min.js", "*.bundle.js", "*.map", "*.pb.go", "*_pb2.py",
    "*_pb2_grpc.py", "*.pb.cc", "*.pb.h", "*.g.dart", "*.designer.cs", "*.generated.*", "*_generated.go",
    "*.lock",
)  # fmt: skip
BINARY_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".bmp", ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz",
     ".7z", ".jar", ".war", ".class", ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".pyc", ".whl", ".woff",
     ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".wav", ".sqlite", ".db", ".bin"}
)  # fmt: skip
GENERATED_MARKERS = re.compile(
    rb"(?:^|\n)\s*(?://|#|/\*|--|;)?\s*(?:Code generated .* DO NOT EDIT|@generated|"
    rb"This file (?:was|is) (?:automatically |auto-)?generated|AUTO-GENERATED FILE|DO NOT EDIT)",
    re.IGNORECASE,
)
MINIFIED_LINE = 500  # an average line this long is not meant to be read by people


def skip_reason_for_path(path: str) -> str | None:
    """Why a path is not reviewed by default, judged by its name alone; None when it is."""
    pure = PurePosixPath(path)
    name = pure.name
    if name in LOCK_FILES:
        return "lock file"
    if pure.suffix.lower() in BINARY_SUFFIXES:
        return "binary"
    if any(part in VENDORED_DIRS for part in pure.parts[:-1]):
        return "vendored"
    if any(part in GENERATED_DIRS for part in pure.parts[:-1]):
        return "generated"
    if any(fnmatch.fnmatch(name, pattern) for pattern in GENERATED_GLOBS):
        return "generated or minified"
    return None


def skip_reason_for_content(data: bytes) -> str | None:
    """Why a file's content is not reviewed by default: binary, generated or minified."""
    head = data[:8000]
    if b"\x00" in head:
        return "binary"
    if GENERATED_MARKERS.search(data[:2000]):
        return "generated"
    lines = data.count(b"\n") + 1
    if len(data) > 2000 and len(data) / lines > MINIFIED_LINE:
        return "minified"
    return None
