"""Whether a requested repository may be analysed, and where it is.

Two kinds of target: an https git URL whose host is on ANALYSIS_ALLOWED_HOSTS, and a directory
under one of ANALYSIS_ROOTS. Everything else is refused with a message safe to show (it never
repeats credentials). A URL's host is resolved here and every address must be public: the fetch
is then pinned to exactly those addresses (http.curloptResolve), so a second DNS answer cannot
point git somewhere else. Loopback and plain http are for hosts on ANALYSIS_LOOPBACK_HOSTS only
(a test's git server).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bot.analysis.models import MAX_REF_CHARS, AnalysisRequest
from bot.config import AnalysisSettings

COMMIT_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
# A branch, tag or full ref name as `git check-ref-format` accepts it, narrowed to plain characters.
REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/+-]*")
HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")
DEFAULT_PORTS = {"https": 443, "http": 80}
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))

# (host, port) -> the addresses it resolves to; injected by tests, getaddrinfo otherwise.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class TargetRejected(Exception):
    """The repository or a ref may not be analysed; the message says why and is safe to show."""


@dataclass(frozen=True)
class Target:
    """A checked target: a URL with the addresses its fetch is pinned to, or a local directory."""

    kind: str  # "url" or "path"
    location: str  # the URL as given (no credentials: refused), or the resolved directory
    host: str = ""
    port: int = 0
    addresses: tuple[str, ...] = field(default=())
    loopback: bool = False  # an ANALYSIS_LOOPBACK_HOSTS host: http and loopback addresses allowed


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_ref(ref: str, what: str) -> str:
    """A ref or commit id that can only ever be a revision in git's argument list."""
    if not isinstance(ref, str) or not ref or len(ref) > MAX_REF_CHARS:
        raise TargetRejected(f"{what} must be 1-{MAX_REF_CHARS} characters")
    if ref.startswith("-"):
        raise TargetRejected(f"{what} may not start with '-'")
    if not ref.isprintable() or any(c.isspace() for c in ref):
        raise TargetRejected(f"{what} may not contain control characters or spaces")
    if COMMIT_ID.fullmatch(ref):
        return ref.lower()
    bad = (
        not REF.fullmatch(ref)
        or ".." in ref
        or "//" in ref
        or ref.endswith(("/", ".", ".lock"))
        or any(part.startswith(".") for part in ref.split("/"))
    )
    if bad:
        raise TargetRejected(f"{what} is not a branch, tag or commit id")
    return ref


def public_address(address: str) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 addresses inside v6 ones (mapped, 6to4, Teredo, NAT64) must be public themselves.
        nat64 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if any(ip in net for net in NAT64) else None
        for embedded in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None, nat64):
            if embedded is not None and not public_address(str(embedded)):
                return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def loopback_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def literal_address(host: str) -> str | None:
    """``host`` when it is an IP address (v4, or v6 without brackets), else None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def host_entry(host: str, port: int, default_port: int) -> str:
    return host if port == default_port else f"{host}:{port}"


async def check_url(url: str, settings: AnalysisSettings, resolver: Resolver) -> Target:
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url):
        raise TargetRejected("the repository URL must be printable ASCII without spaces")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRejected("the repository URL is not valid") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise TargetRejected("only https git URLs may be analysed (no ssh, file, ext:: or other transports)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRejected("the repository URL may not carry credentials (user@ or user:password@)")
    if parts.query or parts.fragment:
        raise TargetRejected("the repository URL may not have a query or fragment")
    host = (parts.hostname or "").rstrip(".")  # lower case, without an IPv6 literal's brackets
    literal = literal_address(host)
    if not host or "%" in parts.netloc or (literal is None and not HOST.fullmatch(host)):
        raise TargetRejected("the repository URL has no valid host name")
    port = port or DEFAULT_PORTS[scheme]
    entry = host_entry(f"[{host}]" if ":" in host else host, port, DEFAULT_PORTS[scheme])
    allowed = {h.lower().rstrip(".") for h in settings.allowed_hosts}
    loopback_ok = entry in {h.lower().rstrip(".") for h in settings.loopback_hosts}
    if entry not in allowed and not loopback_ok:
        raise TargetRejected(f"the host {entry} is not on the allow-list of this server")
    if scheme == "http" and not loopback_ok:
        raise TargetRejected("only https git URLs may be analysed")
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await asyncio.wait_for(resolver(host, port), timeout=10)
        except (OSError, TimeoutError, UnicodeError):
            raise TargetRejected(f"the host {entry} cannot be resolved") from None
    if not addresses:
        raise TargetRejected(f"the host {entry} cannot be resolved")
    for address in addresses:
        try:
            ok = public_address(address) or (loopback_ok and loopback_address(address))
        except ValueError:
            ok = False
        if not ok:  # the address itself is not named: the caller learns nothing about our network
            raise TargetRejected(f"the host {entry} resolves to an address that is not public")
    return Target("url", url, host=host, port=port, addresses=tuple(addresses), loopback=loopback_ok)


def check_path(raw: str, settings: AnalysisSettings) -> Target:
    if not settings.roots:
        raise TargetRejected("analyses of local paths are not enabled on this server")
    if "\x00" in raw or not raw.isprintable():
        raise TargetRejected("the repository path may not contain control characters")
    if ".." in PurePosixPath(raw).parts:
        raise TargetRejected("the repository path may not contain '..'")
    roots = [Path(r).resolve() for r in settings.roots]
    candidates = [Path(raw)] if os.path.isabs(raw) else [root / raw for root in roots]
    for candidate in candidates:
        try:
            real = candidate.resolve(strict=True)  # every symlink followed: where git would go
        except (OSError, RuntimeError):
            continue
        if real.is_dir() and under(real, roots):
            return Target("path", str(git_dir_of(real, roots)))
    raise TargetRejected("the repository path is not a directory under a configured analysis root")


def under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def git_dir_of(directory: Path, roots: list[Path]) -> Path:
    """The repository's own git directory, which must stay under the roots too: a ``.git`` file
    (a linked worktree) or an alternates file could otherwise lead git outside them."""
    dot_git = directory / ".git"
    if dot_git.is_symlink() or dot_git.is_file():
        raise TargetRejected("the repository path is a linked worktree or has a .git link: not supported")
    git_dir = dot_git if dot_git.is_dir() else directory
    if not ((git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir()):
        raise TargetRejected("the repository path is not a git repository")
    git_dir = git_dir.resolve(strict=True)
    objects = (git_dir / "objects").resolve(strict=True)
    if not under(git_dir, roots) or not under(objects, roots):
        raise TargetRejected("the repository path is not a directory under a configured analysis root")
    for name in ("alternates", "http-alternates"):
        listed = objects / "info" / name
        if not listed.exists():
            continue
        try:
            lines = listed.read_text(errors="replace").splitlines()[:100]
        except OSError:
            raise TargetRejected("the repository's object alternates cannot be read") from None
        for line in lines:
            if line.strip() and not line.startswith("#"):
                try:
                    place = (objects / line.strip()).resolve(strict=True)
                except (OSError, RuntimeError):
                    place = None
                if name == "http-alternates" or place is None or not under(place, roots):
                    raise TargetRejected("the repository borrows objects from outside the analysis roots")
    return git_dir


def looks_like_url(raw: str) -> bool:
    return "://" in raw or "::" in raw or (":" in raw.split("/", 1)[0] and not raw.startswith("/"))


async def check_target(raw: str, settings: AnalysisSettings, resolver: Resolver | None = None) -> Target:
    if looks_like_url(raw):
        return await check_url(raw, settings, resolver or system_resolver)
    return check_path(raw, settings)


async def check_request(
    request: AnalysisRequest, settings: AnalysisSettings, resolver: Resolver | None = None
) -> Target:
    """The checked target of ``request``; TargetRejected when it or its refs may not be used."""
    check_ref(request.base, "base")
    check_ref(request.head, "head")
    return await check_target(request.repository, settings, resolver)
