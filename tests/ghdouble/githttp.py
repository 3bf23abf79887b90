"""Git smart HTTP, served by the real ``git http-backend`` behind GitHub's token auth.

Only fetches (git-upload-pack) are allowed. Repositories are served with
``uploadpack.allowFilter`` and ``uploadpack.allowAnySHA1InWant`` so that a
shallow, partial fetch of one commit by sha and a later fetch of blobs by oid
work as they do against github.com.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import gzip
import os
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from .state import Repo

BACKEND_TIMEOUT = 120
_SERVED_CONFIG = {
    "uploadpack.allowFilter": "true",
    "uploadpack.allowAnySHA1InWant": "true",
    "uploadpack.allowReachableSHA1InWant": "true",
    "http.receivepack": "false",
    "safe.directory": "*",
}

# (owner, repo, token) -> "ok", "bad" (not a live token) or "denied" (token cannot see that repo)
TokenCheck = Callable[[str, str, str], str]


def _unauthorized() -> web.Response:
    return web.Response(
        status=401,
        text="Invalid username or token. Password authentication is not supported for Git operations.\n",
        headers={"WWW-Authenticate": 'Basic realm="GitHub"'},
    )


def _basic_password(header: str | None) -> str | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if user == "x-access-token" and password else None


async def serve(
    request: web.Request, find_repo: Callable[[str, str], Repo | None], token_ok: TokenCheck
) -> web.Response:
    owner = request.match_info["owner"]
    name = request.match_info["repo"]
    tail = request.match_info["tail"]
    repo = find_repo(owner, name)
    service = request.query.get("service", "")
    if "receive-pack" in tail or service == "git-receive-pack":
        # GitHub itself refuses an App token without contents:write; this double never accepts pushes.
        return web.Response(status=403, text="Write access to repository not granted.\n")
    password = _basic_password(request.headers.get("Authorization"))
    if password is None:
        return _unauthorized()
    verdict = token_ok(owner, name, password)
    if verdict == "bad":
        return _unauthorized()
    if repo is None or verdict != "ok":
        # GitHub does not reveal whether a repository it will not show you exists.
        return _not_found()
    if tail not in ("info/refs", "git-upload-pack"):
        return _not_found()
    if tail == "info/refs" and service != "git-upload-pack":
        return web.Response(status=403, text="dumb HTTP is not supported\n")
    body = await request.read()
    if request.headers.get("Content-Encoding", "").lower() == "gzip" and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return await _run_backend(request, repo.path, tail, body)


def _not_found() -> web.Response:
    return web.Response(status=404, text="Repository not found.\n")


async def _run_backend(request: web.Request, path: Path, tail: str, body: bytes) -> web.Response:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "GIT_PROJECT_ROOT": str(path.parent),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{path.name}/{tail}",
        "QUERY_STRING": request.query_string,
        "REQUEST_METHOD": request.method,
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": "x-access-token",
        "REMOTE_ADDR": request.remote or "127.0.0.1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_COUNT": str(len(_SERVED_CONFIG)),
    }
    for index, (key, value) in enumerate(_SERVED_CONFIG.items()):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    if protocol := request.headers.get("Git-Protocol"):
        env["GIT_PROTOCOL"] = protocol
    proc = await asyncio.create_subprocess_exec(
        "git",
        "http-backend",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(body), BACKEND_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return web.Response(status=504, text="git http-backend timed out\n")
    return _cgi_response(out, err)


def _cgi_response(out: bytes, err: bytes) -> web.Response:
    head, sep, payload = out.partition(b"\r\n\r\n")
    if not sep:
        head, sep, payload = out.partition(b"\n\n")
    if not sep:
        return web.Response(status=500, text="bad CGI output: " + err.decode(errors="replace"))
    status = 200
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.split()[0])
        elif key:
            headers[key.strip()] = value.strip()
    return web.Response(status=status, body=payload, headers=headers)
