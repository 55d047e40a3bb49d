"""Structured logs (structlog), JSON in production, readable in development."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

import structlog
from opentelemetry import trace

# Where the lines of the current context go; None is sys.stdout, looked up at each line.
_LOG_STREAM: ContextVar[TextIO | None] = ContextVar("goalpost_log_stream", default=None)


def _line_logger(*_: object) -> structlog.WriteLogger:
    """Each line in ONE write, its newline included: uvicorn's workers share one stdout, and
    print() writes the text and the newline apart, so with an unbuffered stdout
    (PYTHONUNBUFFERED, as in most containers) two workers' lines ran into each other."""
    return structlog.WriteLogger(_LOG_STREAM.get())


@contextmanager
def logs_to(stream: TextIO) -> Iterator[None]:
    """Send the log lines of this context, and of every task started in it, to `stream`.

    structlog's configuration is global to the process, but a server running in a thread of a
    test process (goalpost.testing.LiveServer) must not print between pytest's dots: a request
    is logged after its response went out, often after the test that sent it has ended. Tasks
    copy the context they were started in, so a whole event loop run inside this block writes
    to `stream`, while the test's own thread keeps writing to stdout."""
    token = _LOG_STREAM.set(stream)
    try:
        yield
    finally:
        _LOG_STREAM.reset(token)


def encodable_values(
    _logger: object, _method: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """Text a client sent may hold what no stream can encode (a lone surrogate); a log line
    must never fail because of it (the request would end as INTERNAL), so escape it."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return event_dict


def trace_ids(
    _logger: object, _method: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """The ids of the active span (GOALPOST_TRACING), in the hex form tracing backends show,
    so a log line leads to its trace. With tracing off there is no span and nothing added."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = trace.format_trace_id(context.trace_id)
        event_dict["span_id"] = trace.format_span_id(context.span_id)
    return event_dict


def configure_logging(*, json: bool) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            # Which process wrote it, when several uvicorn workers share one stream.
            structlog.processors.CallsiteParameterAdder(
                [structlog.processors.CallsiteParameter.PROCESS]
            ),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            trace_ids,
            encodable_values,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=_line_logger,
        # Not cached: an app built later (tests, workers) may log in another format.
        cache_logger_on_first_use=False,
    )


log = structlog.get_logger("goalpost")
