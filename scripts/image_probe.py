"""HTTP checks of a running review-bot container, for scripts/test-image.sh (standard library only).

    python3 scripts/image_probe.py status URL                  print the status code (0: no answer)
    python3 scripts/image_probe.py webhook URL PAYLOAD EVENT   POST a delivery signed with
                                                               $WEBHOOK_SECRET; print the status
    python3 scripts/image_probe.py webhook URL PAYLOAD EVENT --bad-signature

The secret comes from the environment, never from argv (argv is visible in the process list).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REQUEST_TIMEOUT = 3.0


def status_of(request: urllib.request.Request | str) -> int:
    """The HTTP status, 0 when nothing answered (refused, reset, timed out)."""
    try:
        # Every URL passed here went through checked_url.
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return 0


def checked_url(url: str) -> str:
    """Only http(s): urlopen would also open file: and ftp: URLs."""
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"image_probe: not an http(s) URL: {url}")
    return url


def signed_delivery(url: str, body: bytes, event: str, secret: str, *, bad: bool) -> urllib.request.Request:
    """A delivery as GitHub sends it: X-Hub-Signature-256 is the HMAC-SHA256 of the body."""
    key = (secret + "-wrong" if bad else secret).encode()
    signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test-image",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature,
    }
    return urllib.request.Request(checked_url(url), data=body, headers=headers, method="POST")  # noqa: S310


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="image_probe")
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status")
    status.add_argument("url")
    webhook = commands.add_parser("webhook")
    webhook.add_argument("url")
    webhook.add_argument("payload", type=Path)
    webhook.add_argument("event")
    webhook.add_argument("--bad-signature", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "status":
        print(status_of(checked_url(args.url)))
        return 0
    secret = os.environ.get("WEBHOOK_SECRET", "")
    if not secret:
        print("image_probe: WEBHOOK_SECRET is not set", file=sys.stderr)
        return 2
    request = signed_delivery(args.url, args.payload.read_bytes(), args.event, secret, bad=args.bad_signature)
    print(status_of(request))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
