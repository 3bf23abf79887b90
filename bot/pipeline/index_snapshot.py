"""What is staged (the index) as a commit, written into a scratch object directory.

``review-bot review --staged`` reviews what the next commit would hold. The analysis step reads
files by path at a commit, so the staged state is made into one: a scratch index is built from
HEAD's tree plus the staged entries (their blobs are already in the repository's object store,
``git add`` put them there), and its tree and a commit are written into an object directory
under the review's workdir, with the repository's own store as an alternate. The user's index,
HEAD, refs, working tree and object store are never written, and no hook can run (git_env points
hooks at /dev/null; read-tree, update-index, write-tree and commit-tree run none anyway).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analyzers.process import run_bounded
from bot.pipeline.gitrun import CheckoutError, git, git_env

# Index features that would write beside the scratch index (a split index writes a shared index
# into the repository's git dir) or look at a working tree: off, whatever the repository says.
SCRATCH_INDEX_CONFIG = (
    *("-c", "core.splitIndex=false", "-c", "core.untrackedCache=false", "-c", "index.sparse=false"),
)
IDENTITY = {
    "GIT_AUTHOR_NAME": "review-bot",
    "GIT_AUTHOR_EMAIL": "review-bot@localhost",
    "GIT_COMMITTER_NAME": "review-bot",
    "GIT_COMMITTER_EMAIL": "review-bot@localhost",
}


@dataclass
class IndexSnapshot:
    """The staged state as ``commit``, compared against ``base`` (HEAD, or the empty tree before
    the first commit); ``env`` is the git environment that sees the scratch objects."""

    head: str | None
    base: str
    commit: str
    env: dict[str, str]


@dataclass
class Pending:
    """Tracked files with changes: staged but not committed, not staged, and either."""

    staged: int
    unstaged: int
    files: int


def user_index(git_dir: Path, worktree: Path | None) -> Path:
    """The index a commit would be made from: ``$GIT_INDEX_FILE`` when git runs us from a hook
    (``git commit -a`` or ``git commit PATH`` stage into a temporary index), else the repository's.

    git reads a relative ``GIT_INDEX_FILE`` from the top of the working tree, where hooks run.
    """
    named = os.environ.get("GIT_INDEX_FILE")
    if not named:
        return git_dir / "index"
    return Path(named) if os.path.isabs(named) else (worktree or Path.cwd()) / named


async def worktree_top(path: Path, *, timeout: float = 30.0) -> Path | None:
    """The top of the working tree ``path`` is in; None for a bare repository."""
    result = await run_bounded(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"], timeout=timeout, max_output=65536
    )
    out = result.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(out) if result.returncode == 0 and out else None


async def head_commit(git_dir: Path, env: dict[str, str]) -> str | None:
    """HEAD's commit, or None before the first commit (an unborn branch)."""
    try:
        out = await git(
            ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], git_dir=git_dir, env=env, timeout=30
        )
    except CheckoutError:
        return None
    return out.decode().strip() or None


async def object_directory(git_dir: Path, env: dict[str, str]) -> Path:
    """The repository's object store (the common one, for a linked worktree)."""
    out = await git(["rev-parse", "--git-path", "objects"], git_dir=git_dir, env=env, timeout=30)
    found = Path(out.decode("utf-8", "surrogateescape").strip())
    return found if found.is_absolute() else git_dir / found


def alternate_entry(path: Path) -> str:
    """One entry of GIT_ALTERNATE_OBJECT_DIRECTORIES: C-quoted when the path holds a separator."""
    text = str(path)
    if not any(c in text for c in ':"\\\n\t'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


async def staged_records(git_dir: Path, base: str, *, env: dict[str, str], timeout: float) -> list[bytes]:
    """``update-index --index-info`` records for every path the index changes against ``base``.

    Entries added with ``git add -N`` (intent to add) are not staged content: left out, as
    ``git commit`` leaves them out. Unmerged paths stop the review: there is no one staged version.
    """
    out = await git(
        [
            *("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "--no-renames"),
            *("--ita-invisible-in-index", base, "--"),
        ],
        git_dir=git_dir,
        env=env,
        timeout=timeout,
    )
    fields = out.split(b"\x00")
    records: list[bytes] = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            break
        _old_mode, new_mode, _old_oid, new_oid, status = meta[1:].split(b" ")[:5]
        if status.startswith(b"U"):
            raise CheckoutError(
                "the index has unmerged paths (a merge or rebase is in progress): resolve them first"
            )
        if status.startswith(b"D"):  # mode 0 removes the path from the scratch index
            records.append(b"0 " + b"0" * len(new_oid) + b"\t" + path + b"\x00")
        else:
            records.append(new_mode + b" " + new_oid + b"\t" + path + b"\x00")
    return records


async def snapshot_index(
    git_dir: Path, workdir: Path, *, index_file: Path, timeout: float = 120.0
) -> IndexSnapshot:
    """Write the staged state of ``index_file`` as a commit in ``workdir``'s scratch object store."""
    env = git_env(workdir)
    head = await head_commit(git_dir, env)
    if head is None:  # before the first commit, everything staged is new
        out = await git(
            ["hash-object", "-t", "tree", "--stdin"], git_dir=git_dir, env=env, stdin=b"", timeout=30
        )
        base = out.decode().strip()
    else:
        base = head
    records = await staged_records(
        git_dir, base, env={**env, "GIT_INDEX_FILE": str(index_file)}, timeout=timeout
    )
    scratch = workdir / "staged"
    (scratch / "objects").mkdir(parents=True)
    snap = {
        **env,
        "GIT_OBJECT_DIRECTORY": str(scratch / "objects"),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": alternate_entry(await object_directory(git_dir, env)),
        "GIT_INDEX_FILE": str(scratch / "index"),  # every later call sees this one, never the user's
    }
    if head is not None:
        await git([*SCRATCH_INDEX_CONFIG, "read-tree", head], git_dir=git_dir, env=snap, timeout=timeout)
    if records:
        await git(
            [*SCRATCH_INDEX_CONFIG, "update-index", "-z", "--index-info"],
            git_dir=git_dir,
            env=snap,
            stdin=b"".join(records),
            timeout=timeout,
        )
    tree = (await git(["write-tree"], git_dir=git_dir, env=snap, timeout=timeout)).decode().strip()
    parents = ["-p", head] if head is not None else []
    commit = await git(
        ["commit-tree", "--no-gpg-sign", "-m", "Staged changes", *parents, tree],
        git_dir=git_dir,
        env={**snap, **IDENTITY},
        timeout=30,
    )
    return IndexSnapshot(head=head, base=base, commit=commit.decode().strip(), env=snap)


async def pending_changes(
    git_dir: Path, worktree: Path, *, index_file: Path, timeout: float = 60.0
) -> Pending | None:
    """How many files have staged and unstaged changes (tracked files only), or None when git
    cannot say. Read-only: ``--no-optional-locks`` keeps ``git status`` from refreshing the index."""
    env = {**git_env(), "GIT_INDEX_FILE": str(index_file)}
    argv = [
        *("git", f"--git-dir={git_dir}", f"--work-tree={worktree}", "--no-optional-locks", "status"),
        *("--porcelain=v1", "-z", "--untracked-files=no", "--ignore-submodules=dirty"),
    ]
    result = await run_bounded(argv, cwd=worktree, env=env, timeout=timeout, max_output=16 * 1024 * 1024)
    if result.returncode != 0 or result.timed_out or result.truncated:
        return None
    pending = Pending(0, 0, 0)
    fields = iter(result.stdout.split(b"\x00"))
    for entry in fields:
        if len(entry) < 4:
            continue
        staged, unstaged = entry[:1], entry[1:2]
        if staged in (b"R", b"C"):
            next(fields, None)  # the name it was renamed or copied from
        pending.staged += staged not in (b" ", b"?")
        pending.unstaged += unstaged not in (b" ", b"?")
        pending.files += (staged + unstaged).strip(b" ?") != b""
    return pending
