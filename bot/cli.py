"""The ``review-bot`` command: review a local change, serve the GitHub App, make a demo repository."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers import severity_at_least
from bot.agents.config import quiet_model_loggers
from bot.config import ConfigError, ReviewSettings, Settings
from bot.events import EventChannel, Subscription
from bot.pipeline.analyze import ReviewOutcome, resolve_commit, review_local
from bot.pipeline.checkout import CheckoutError, git_env, local_git_dir
from bot.pipeline.terminal import format_json, format_markdown, format_sarif, format_text
from bot.text.printable import configure_logging, printable

if TYPE_CHECKING:
    from bot.agents.config import AgentConfig

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_BASES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="review-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    review = commands.add_parser("review", help="review the commits of HEAD (or --head) not in --base")
    review.add_argument("path", nargs="?", default=".", help="a git repository (default: .)")
    review.add_argument(
        "--base", help="the branch the change goes into (default: origin/HEAD, main or master)"
    )
    review.add_argument("--head", default="HEAD", help="the commit to review (default: HEAD)")
    review.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    review.add_argument(
        "--config",
        type=Path,
        help="a review-bot.yml to use (default: .github/review-bot.yml as it is on --base)",
    )
    review.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when a finding has at least this severity (default: error)",
    )

    review.add_argument(
        "--agents",
        action="store_true",
        help="also let the coder and reviewer agents discuss the diff and the findings (needs a model)",
    )
    review.add_argument(
        "--agent-config",
        type=Path,
        help="the agents' YAML (default: $REVIEW_BOT_AGENT_CONFIG, else ./agent_config.yaml)",
    )
    review.add_argument("--verbose", action="store_true", help="show the agents' messages as they arrive")

    serve = commands.add_parser("serve", help="run the GitHub App's webhook server")
    serve.add_argument("--agent-config", type=Path, help="the agents' YAML (default as for review)")
    serve.add_argument("--host", help="interface to listen on (default: 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 8080)")

    demo = commands.add_parser("demo", help="create a demo repository to try `review-bot review` on")
    demo.add_argument("path", nargs="?", default="review-bot-demo")
    return parser


async def default_base(path: Path) -> str:
    git_dir = await local_git_dir(path)
    env = git_env()
    for ref in DEFAULT_BASES:
        try:
            await resolve_commit(git_dir, ref, env=env)
        except CheckoutError:
            continue
        return ref
    raise CheckoutError("no --base given and none of origin/HEAD, main or master exists")


def exit_code(outcome: ReviewOutcome, fail_on: str) -> int:
    if fail_on != "never" and any(severity_at_least(f.severity, fail_on) for f in outcome.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def agent_config_for(cli_path: Path | None, *, required: bool) -> AgentConfig | None:
    """The agents' configuration, or None; ConfigError when it is required or invalid."""
    from bot.agents.config import find_agent_config, load_agent_config

    found = find_agent_config(cli_path, os.environ, Path.cwd())
    if found is None:
        if required:
            raise ConfigError(
                "--agents needs a model: write agent_config.yaml (see the README), "
                "or point --agent-config or REVIEW_BOT_AGENT_CONFIG at one"
            )
        return None
    return load_agent_config(found)


async def print_agent_messages(subscription: Subscription) -> None:
    async for event in subscription:
        if event.get("type") == "agent_message":
            content = printable(event.get("content"), keep="\n").replace("\n", "\n    ")  # no forged lines
            line = f"[{printable(event.get('source'))}] {content}"
            print(line, file=sys.stderr, flush=True)


async def run_review(args: argparse.Namespace) -> int:
    path = Path(args.path)
    base = args.base or await default_base(path)
    agents = agent_config_for(args.agent_config, required=True) if args.agents else None
    events = EventChannel()
    subscription = events.subscribe("cli") if args.verbose and agents is not None else None
    printer = asyncio.create_task(print_agent_messages(subscription)) if subscription else None
    try:
        outcome = await review_local(
            path,
            base=base,
            head=args.head,
            settings=ReviewSettings(),
            config=args.config,
            agents=agents,
            events=events,
            topic="cli",
        )
    finally:
        events.close()
        if printer is not None:
            await printer
    if args.format == "json":
        print(format_json(outcome))
    elif args.format == "sarif":
        print(format_sarif(outcome))
    elif args.format == "markdown":
        print(format_markdown(outcome))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(format_text(outcome, colour=colour))
    return exit_code(outcome, args.fail_on)


def run_serve(args: argparse.Namespace) -> int:
    from bot.github.auth import AppAuthError, make_app_jwt
    from bot.web import create_app, serve

    settings = Settings.from_env()
    configure_logging(settings.log_level, "%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    if not settings.github_configured:
        print(
            "review-bot serve needs GITHUB_APP_ID, GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH) "
            "and GITHUB_WEBHOOK_SECRET",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        agent_config = agent_config_for(args.agent_config, required=False)
    except ConfigError as exc:
        print(f"review-bot serve: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        make_app_jwt(settings.app_id or "", settings.private_key or "")
    except AppAuthError as exc:  # says what is wrong without quoting the key
        print(f"review-bot serve: {exc}", file=sys.stderr)
        return EXIT_ERROR
    app = create_app(settings, agent_config=agent_config)
    asyncio.run(serve(app, settings, args.host or settings.host, args.port or settings.port))
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    from bot.demo import create_demo

    root = create_demo(Path(args.path))
    print(f"Demo repository ready in {root} (branch feature, based on main).", file=sys.stderr)
    print(f"Review it with: review-bot review {root} --base main", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(logging.WARNING, "%(levelname)s: %(message)s")
    # For review and serve alike: the model libraries log prompts (PR code, secrets) at INFO.
    quiet_model_loggers(os.environ)
    try:
        if args.command == "review":
            return asyncio.run(run_review(args))
        if args.command == "serve":
            return run_serve(args)
        return run_demo(args)
    except (CheckoutError, ConfigError) as exc:  # messages may name a file of the repository
        print(f"review-bot: {printable(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the demo's git failures and the like: say so, exit 2
        print(f"review-bot: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
