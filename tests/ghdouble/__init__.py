"""A strict GitHub REST API double with real git over smart HTTP, for the bot's tests."""

from .repo import Renamed, Symlink, bulk_commit, commit, make_repo
from .server import GitHubDouble

__all__ = ["GitHubDouble", "Renamed", "Symlink", "bulk_commit", "commit", "make_repo"]
