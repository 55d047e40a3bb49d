"""Spans for the steps of the core (the guard, each batch phase), with the OpenTelemetry API
only: no SDK, no web framework, so the core stays framework-neutral (docs/tracing.md).

The tracer is the app's, set for each request by goalpost.telemetry when GOALPOST_TRACING is
on; anywhere else (tracing off, the CLI, a test calling a service) `span` is a nullcontext
and costs one ContextVar lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

from opentelemetry.trace import Tracer

_TRACER: ContextVar[Tracer | None] = ContextVar("goalpost_tracer", default=None)


def span(name: str) -> AbstractContextManager[object]:
    """`with span("batch.plan"):` — a child of the current span (the request's, or the one
    around it), or nothing at all when tracing is off."""
    tracer = _TRACER.get()
    if tracer is None:
        return nullcontext()
    return tracer.start_as_current_span(name)


@contextmanager
def tracing_with(tracer: Tracer) -> Iterator[None]:
    """Spans of this context, and of every task started in it, go to `tracer`: one app's
    tracer per request, so two apps in one process (tests) never share spans."""
    token = _TRACER.set(tracer)
    try:
        yield
    finally:
        _TRACER.reset(token)
