"""What one delivery and one review leave behind for operators: log context, stage timings, traces.

- Log context: the receiver and the worker bind the delivery id, repository, PR, head sha, job id
  and stage in contextvars; ``LogContextFilter`` copies them onto every record, so the JSON log
  format (``LOG_FORMAT=json``) prints them on each line. Tasks spawned while bound inherit them.
- Stages: the pipeline calls a ``Stage`` hook around fetch, analyze, dialogue and publish; the
  worker's hook times each into the stage histogram and opens a child span.
- Traces: with ``OTEL_EXPORTER_OTLP_ENDPOINT`` set, one TracerProvider per app exports spans over
  OTLP/HTTP. The receiver's span context travels to the worker inside the ReviewJob as a W3C
  ``traceparent`` string, so both halves of one delivery share a trace id even across Redis.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry import trace
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider

    from bot.metrics import Metrics
    from bot.queue import ReviewJob

LOG_FIELDS = ("delivery_id", "event", "repo", "pr", "head_sha", "job_id", "stage")
MAX_FIELD = 200  # header values are the sender's: bounded before they reach every log line

_EMPTY: Mapping[str, str] = MappingProxyType({})
_log_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "review_bot_log", default=_EMPTY
)

# Opens a context around one pipeline stage ("fetch", "analyze", "dialogue", "publish").
Stage = Callable[[str], contextlib.AbstractContextManager[object]]


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Bind ``fields`` (those in LOG_FIELDS; None values skipped) for the log lines inside."""
    token = _log_context.set(_merged(fields))
    try:
        yield
    finally:
        _log_context.reset(token)


def bind_log_context(**fields: object) -> None:
    """Bind ``fields`` for the rest of the current task (a request handler's own task)."""
    _log_context.set(_merged(fields))


def _merged(fields: Mapping[str, object]) -> Mapping[str, str]:
    current = dict(_log_context.get())
    current.update({k: str(v)[:MAX_FIELD] for k, v in fields.items() if v is not None and k in LOG_FIELDS})
    return current


def current_log_context() -> Mapping[str, str]:
    return _log_context.get()


class LogContextFilter(logging.Filter):
    """Puts the bound fields on each record as ``record.log_context`` (the JSON formatter prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.log_context = dict(_log_context.get())
        return True


def install_log_context() -> None:
    """Add the filter to the root logger's handlers (a handler filter sees propagated records too)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, LogContextFilter) for f in handler.filters):
            handler.addFilter(LogContextFilter())


def job_log_fields(job: ReviewJob) -> dict[str, object]:
    return {
        "delivery_id": job.delivery_id or None,
        "repo": job.full_name,
        "pr": job.pr_number,
        "head_sha": job.head_sha,
        "job_id": job_id(job),
    }


def job_id(job: ReviewJob) -> str:
    """The job's key as one string: the same on every replica for the same head."""
    return f"{job.full_name}#{job.pr_number}@{job.head_sha}"


def current_traceparent() -> str:
    """The W3C traceparent of the span open now, or "" when there is none (tracing off)."""
    if "opentelemetry.trace" not in sys.modules:  # never imported: no span can be open (the CLI)
        return ""
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    if not trace.get_current_span().get_span_context().is_valid:  # tracing off: nothing to carry
        return ""  # (and no propagator to build for each job the receiver queues)

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier.get("traceparent", "")


def parent_context(traceparent: str) -> Context | None:
    """The span context a job carried from its receiver; None when it carried none."""
    if not traceparent:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator().extract({"traceparent": traceparent})


def stage_hook(metrics: Metrics, tracer: trace.Tracer) -> Stage:
    """Times each stage into ``review_bot_job_stage_seconds`` and opens a child span for it."""

    @contextlib.contextmanager
    def stage(name: str) -> Iterator[None]:
        started = time.perf_counter()
        with tracer.start_as_current_span(f"review.{name}"), log_context(stage=name):
            try:
                yield
            finally:
                metrics.stage_seconds.labels(stage=name).observe(time.perf_counter() - started)

    return stage


def no_stage(name: str) -> contextlib.AbstractContextManager[object]:
    return contextlib.nullcontext()


def tracer_provider_from_env(env: Mapping[str, str]) -> TracerProvider | None:
    """An OTLP/HTTP-exporting provider when OTEL_EXPORTER_OTLP_ENDPOINT is set, else None.

    The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS) from the environment itself.
    """
    if not env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = env.get("OTEL_SERVICE_NAME") or "review-bot"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def tracer_of(provider: Any) -> trace.Tracer:
    """A tracer from ``provider`` (an SDK TracerProvider), or one that records nothing."""
    from opentelemetry import trace

    if provider is None:
        return trace.NoOpTracer()
    tracer: trace.Tracer = provider.get_tracer("review-bot")
    return tracer
