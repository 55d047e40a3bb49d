"""Structured logs (structlog), JSON in production, readable in development."""

from __future__ import annotations

import logging

import structlog


def encodable_values(
    _logger: object, _method: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """Text a client sent may hold what no stream can encode (a lone surrogate); a log line
    must never fail because of it (the request would end as INTERNAL), so escape it."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = value.encode("utf-8", "backslashreplace").decode("utf-8")
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
            encodable_values,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        # Not cached: an app built later (tests, workers) may log in another format.
        cache_logger_on_first_use=False,
    )


log = structlog.get_logger("goalpost")
