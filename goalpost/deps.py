"""Per-request dependencies shared by both adapters (GraphQL and REST): the request's
session and the caller's org guard, as one RequestScope.

FastAPI dependencies, as in full-stack-fastapi-template's `api/deps.py`: the GraphQL
context getter and the REST routes both take `ScopeDep`, so both build the same scope the
same way and close its session when the request ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends
from starlette.requests import HTTPConnection

from goalpost.db import SerialSession
from goalpost.services.guard import OrgGuard
from goalpost.services.requests import RequestScope


async def request_scope(request: HTTPConnection) -> AsyncIterator[RequestScope]:
    """An HTTP request or a WebSocket (whose token comes later, in connection_init)."""
    state = request.app.state
    db = SerialSession(state.sessions)
    try:
        yield RequestScope(
            db=db,
            guard=OrgGuard(state.verifier, request.headers.get("authorization")),
            settings=state.settings,
            metrics=state.metrics,
            # Bound by the RequestContext middleware for the logs; the history keeps it too.
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
            live=state.live,
        )
    finally:
        await db.close()


ScopeDep = Annotated[RequestScope, Depends(request_scope)]
