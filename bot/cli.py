"""The ``review-bot`` command: review a local change, serve the GitHub App, make a demo repository."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers import severity_at_least
from analyzers.limits import lower_session_priority
from analyzers.pool import pool_lifetime
from bot.agents.config import quiet_model_loggers
from bot.config import REVIEW_CHOICES, ConfigError, ReviewSettings, Settings
from bot.events import EventChannel, Subscription
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.checkout import CheckoutError, git_env, local_git_dir
from bot.pipeline.local import LocalGitSource, LocalStagedSource, is_shallow, resolve_commit
from bot.pipeline.run import run_review
from bot.pipeline.terminal import TerminalReporter
from bot.text.printable import configure_logging, printable

if TYPE_CHECKING:
    from bot.agents.config import AgentConfig

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_BASES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")
FAIL_ON = ("error", "warning", "note", "never")


def package_version() -> str:
    try:
        return importlib.metadata.version("autogen-review-bot")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="review-bot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"review-bot {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    review = commands.add_parser(
        "review", help="review the commits of HEAD (or --head) not in --base, or what is staged"
    )
    review.add_argument("path", nargs="?", default=".", help="a git repository (default: .)")
    review.add_argument(
        "--base", help="the branch the change goes into (default: origin/HEAD, main or master)"
    )
    review.add_argument("--head", help="the commit to review (default: HEAD)")
    review.add_argument(
        "--staged",
        action="store_true",
        help="review what is staged in the index against HEAD (what the next commit would hold)",
    )
    review.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    review.add_argument(
        "--config",
        type=Path,
        help="a review-bot.yml to use (default: .github/review-bot.yml as it is on --base, or on HEAD "
        "with --staged)",
    )
    review.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="exit 1 when a finding has at least this severity (default: the configuration's fail_on, "
        "else error)",
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

    worker = commands.add_parser(
        "worker", help="run reviews from the Redis queue (REDIS_URL); serves /health, /ready, /metrics"
    )
    worker.add_argument("--agent-config", type=Path, help="the agents' YAML (default as for review)")
    worker.add_argument("--host", help="interface for /health and /ready (default: 0.0.0.0)")
    worker.add_argument("--port", type=int, help="port (default: $METRICS_PORT, else $PORT or 8080)")

    demo = commands.add_parser("demo", help="create a demo repository to try `review-bot review` on")
    demo.add_argument("path", nargs="?", default="review-bot-demo")
    add_action_parser(commands)
    from bot.api.keys_cli import add_keys_parser

    add_keys_parser(commands)
    return parser


def input_choice(choices: Sequence[str]) -> Callable[[str], str | None]:
    """An Action input's value: one of ``choices``, or empty for the default (None)."""

    def check(value: str) -> str | None:
        if not value.strip():
            return None
        if value.strip() not in choices:
            raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(choices)}")
        return value.strip()

    return check


def input_path(value: str) -> Path | None:
    return Path(value) if value.strip() else None


def add_action_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``review-bot action``: what action.yml's step runs (its inputs arrive as these options,
    where an empty value means the default)."""
    action = commands.add_parser(
        "action",
        help="in a GitHub Actions job: review the pull request of the event and post the review, "
        "check run and summary (see action.yml)",
    )
    action.add_argument(
        "--fail-on",
        type=input_choice(FAIL_ON),
        metavar="|".join(FAIL_ON),
        help="fail (exit 1) when a finding reaches this severity (default: the base branch's "
        "fail_on, else error)",
    )
    modes = REVIEW_CHOICES["filter_mode"]
    action.add_argument(
        "--filter-mode", type=input_choice(modes), metavar="|".join(modes), help="which lines are reviewed"
    )
    action.add_argument(
        "--config", type=input_path, help="a review-bot.yml in the workspace, instead of the base branch's"
    )
    action.add_argument("--sarif-file", type=input_path, help="also write the findings as SARIF here")


def run_action_command(args: argparse.Namespace) -> int:
    from bot.pipeline.actions import ActionOptions, run_action

    options = ActionOptions(args.fail_on, args.filter_mode, args.config, args.sarif_file)
    return run_action(options, os.environ)


async def default_base(path: Path) -> str:
    git_dir = await local_git_dir(path)
    env = git_env()
    for ref in DEFAULT_BASES:
        try:
            await resolve_commit(git_dir, ref, env=env)
        except CheckoutError:
            continue
        return ref
    hint = " (a shallow clone: fetch the base branch, or use `fetch-depth: 0` in Actions)"
    shallow = hint if await is_shallow(git_dir, env) else ""
    raise CheckoutError(f"no --base given and none of origin/HEAD, main or master exists{shallow}")


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


def say(line: str) -> None:
    """A line for the person at the terminal, on stderr: stdout holds only the report."""
    print(f"review-bot: {line}", file=sys.stderr, flush=True)


def incomplete_line(outcome: ReviewOutcome) -> str | None:
    """One stderr line when something that should have been reviewed was not."""
    problems = outcome.errors + outcome.incomplete
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more problem(s), listed in the report)" if len(problems) > 1 else ""
    return f"warning: the review is incomplete: {printable(problems[0])}{more}"


async def review_command(args: argparse.Namespace) -> int:
    path = Path(args.path)
    agents = agent_config_for(args.agent_config, required=True) if args.agents else None
    source: LocalGitSource | LocalStagedSource
    if args.staged:
        source = LocalStagedSource(path, ReviewSettings(), args.config, agents is not None, announce=say)
    else:
        base = args.base or await default_base(path)
        head = args.head or "HEAD"
        source = LocalGitSource(path, base, head, ReviewSettings(), args.config, agents is not None, say)
    events = EventChannel()
    subscription = events.subscribe("cli") if args.verbose and agents is not None else None
    printer = asyncio.create_task(print_agent_messages(subscription)) if subscription else None
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    try:
        with pool_lifetime():  # the warm analyzer pool's children end with the review
            outcome = await run_review(
                source, TerminalReporter(args.format, colour), agents=agents, events=events, topic="cli"
            )
    finally:
        events.close()
        if printer is not None:
            await printer
    line = incomplete_line(outcome)
    if line is not None:
        say(line)
    # As the App's check run: --fail-on, else the configuration's fail_on (which defaults to error).
    fail_on = args.fail_on or (source.policy.settings.fail_on if source.policy else "error")
    return exit_code(outcome, fail_on)


def run_serve(args: argparse.Namespace) -> int:
    """``review-bot serve``: without REDIS_URL receive and review in this process; with it, only
    receive (verify, dedupe, enqueue) and leave the reviews to ``review-bot worker``."""
    return run_server(args, "serve")


# A dedicated worker's own Python (fetch, publish, the dialogue) runs below the receiver's priority
# too, not only its analyzer children: where receivers and workers share cores, acknowledgements
# come first. Analyzers add their own NICENESS on top (analyzers/limits.py).
WORKER_NICENESS = 10


def run_worker_command(args: argparse.Namespace) -> int:
    os.nice(WORKER_NICENESS)
    if os.getsid(0) == os.getpid():
        # A worker leading its own session (a service manager's, a container's) is weighed as
        # one Linux "autogroup" against the receiver's, whatever its nice value: lower the
        # group's weight too. Inside a shared session (started from a shell) nice alone counts.
        lower_session_priority(os.getpid(), WORKER_NICENESS)
    return run_server(args, "worker")


def run_server(args: argparse.Namespace, command: str) -> int:
    import uvloop

    from bot.github.auth import AppAuthError, make_app_jwt
    from bot.observability import install_log_context
    from bot.web import ROLE, create_app, serve

    settings = Settings.from_env()
    configure_logging(
        settings.log_level,
        "%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
        json_lines=settings.log_format == "json",
    )
    install_log_context()  # the JSON lines carry the delivery, repo, PR, head and stage
    if not settings.github_configured:
        print(
            f"review-bot {command} needs GITHUB_APP_ID, GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH) "
            "and GITHUB_WEBHOOK_SECRET",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if settings.reuse_port and not settings.redis_url:
        print(
            "SERVER_REUSE_PORT needs REDIS_URL: processes sharing a port must share the queue",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if command == "worker" and not settings.redis_url:
        print(
            "review-bot worker needs REDIS_URL (without it, `review-bot serve` runs the reviews)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        agent_config = agent_config_for(args.agent_config, required=False)
    except ConfigError as exc:
        print(f"review-bot {command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        make_app_jwt(settings.app_id or "", settings.private_key or "")
    except AppAuthError as exc:  # says what is wrong without quoting the key
        print(f"review-bot {command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if command == "worker":
        app = create_app(settings, agent_config=agent_config, role="worker")
        port = args.port or settings.metrics_port or settings.port
    else:
        app = create_app(settings, agent_config=agent_config)
        port = args.port or settings.port
    if app[ROLE] == "receiver":
        # A receiver only verifies, dedupes and enqueues: about twenty event-loop turns per
        # delivery, which uvloop runs at a fraction of asyncio's own cost. Reviews (with their
        # subprocesses) keep the standard loop.
        uvloop.run(serve(app, settings, args.host or settings.host, port))
    else:
        asyncio.run(serve(app, settings, args.host or settings.host, port))
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    from bot.demo import create_demo

    root = create_demo(Path(args.path))
    print(f"Demo repository ready in {root} (branch feature, based on main).", file=sys.stderr)
    print(f"Review it with: review-bot review {root} --base main", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "review" and args.staged and (args.base or args.head):
        parser.error("--staged reviews the index against HEAD: it takes no --base or --head")
    configure_logging(logging.WARNING, "%(levelname)s: %(message)s")
    # For review and serve alike: the model libraries log prompts (PR code, secrets) at INFO.
    quiet_model_loggers(os.environ)
    try:
        if args.command == "review":
            return asyncio.run(review_command(args))
        if args.command == "serve":
            return run_serve(args)
        if args.command == "worker":
            return run_worker_command(args)
        if args.command == "action":
            return run_action_command(args)
        if args.command == "keys":
            from bot.api.keys_cli import run_keys_command

            return asyncio.run(run_keys_command(args))
        return run_demo(args)
    except (CheckoutError, ConfigError) as exc:  # messages may name a file of the repository
        print(f"review-bot: {printable(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the demo's git failures and the like: say so, exit 2
        print(f"review-bot: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
