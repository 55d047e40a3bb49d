"""Structured logs (structlog), JSON in production, readable in development."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

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


def wants_json(log_format: str, env: str) -> bool:
    """GOALPOST_LOG_FORMAT: "json", or "auto" in production."""
    return log_format == "json" or (log_format == "auto" and env == "production")


def _common_processors() -> list[structlog.typing.Processor]:
    """What every line carries, whether the project or a library (uvicorn) wrote it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        # Which process wrote it, when several uvicorn workers share one stream.
        structlog.processors.CallsiteParameterAdder(
            [structlog.processors.CallsiteParameter.PROCESS]
        ),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        trace_ids,
        encodable_values,
    ]


def configure_logging(*, json: bool) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    if json:
        # Python's warnings go through logging, hence through the JSON formatter below.
        logging.captureWarnings(True)
    structlog.configure(
        processors=[*_common_processors(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=_line_logger,
        # Not cached: an app built later (tests, workers) may log in another format.
        cache_logger_on_first_use=False,
    )


def access_fields(
    _logger: object, _method: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """uvicorn's access line as fields, not only as text: its record's arguments are
    (client, method, path, HTTP version, status)."""
    args = event_dict.pop("positional_args", ())
    record = event_dict.get("_record")
    if record is not None and record.name == "uvicorn.access" and len(args) == 5:
        client, method, path, _version, status = args
        event_dict.update(client=client, method=method, path=path, status=status)
    return event_dict


def json_formatter() -> logging.Formatter:
    """A stdlib formatter that renders a library's log record as the same JSON object as
    the project's own lines (docs/http.md); a traceback becomes a field of that one line."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_logger_name,
            access_fields,
            *_common_processors(),
        ],
        pass_foreign_args=True,  # for access_fields
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def uvicorn_json_log_config() -> dict[str, Any]:
    """uvicorn's logging (start-up, errors, access) and every other library's, as JSON lines:
    a log_config for uvicorn.run, applied again in each worker process, so it names the
    formatter's factory instead of holding objects. Streams as uvicorn's own: errors to
    stderr, access to stdout."""
    handler = {"class": "logging.StreamHandler", "formatter": "default"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": f"{__name__}.json_formatter"},
            "access": {"()": f"{__name__}.json_formatter"},
        },
        "handlers": {
            "default": {**handler, "stream": "ext://sys.stderr"},
            "access": {**handler, "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }


log = structlog.get_logger("goalpost")
