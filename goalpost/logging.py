"""Structured logs (structlog), JSON in production, readable in development."""

from __future__ import annotations

import logging

import structlog


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
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        # Not cached: an app built later (tests, workers) may log in another format.
        cache_logger_on_first_use=False,
    )


log = structlog.get_logger("goalpost")
