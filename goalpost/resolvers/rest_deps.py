"""What every REST twin route needs before its endpoint runs, in the order a caller meets it.

1. A body over the size limit → 413 (the middleware).
2. No token, a bad one, or one for an unknown user → 401, whatever the body.
3. A body that is not JSON, or JSON but not an object → 400 BAD_REQUEST.
4. A body of the wrong shape, or with a key the models do not know → 422 (FastAPI).

FastAPI parses a JSON body before any dependency runs, so (2) would come after (3) and (4):
a caller without a token learned what was wrong with their body. `AuthFirstRoute` defers the
parse error (see `DeferredJsonRequest`) until `json_object_body`, which runs after
`authenticated_guard`; FastAPI validates the body only after every dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute

from goalpost import strict_json
from goalpost.db import SerialSession
from goalpost.services.errors import GoalpostError
from goalpost.services.guard import OrgGuard


class BadRequest(GoalpostError):
    code = "BAD_REQUEST"
    http_status = 400


class NotJson:
    """What `request.json()` holds for a body that does not parse."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class DeferredJsonRequest(Request):
    async def json(self) -> Any:
        """Strict JSON (see `strict_json`); a parse error is kept as a `NotJson` for
        `json_object_body`, not raised into FastAPI before authentication."""
        if not hasattr(self, "_strict_json"):
            try:
                self._strict_json: Any = strict_json.loads(await self.body(), lone_surrogates=False)
            except ValueError as error:
                self._strict_json = NotJson(str(error))
        return self._strict_json


class AuthFirstRoute(APIRoute):
    """A route whose body errors wait until the caller is authenticated."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_deferred(request: Request) -> Response:
            deferred = DeferredJsonRequest(request.scope, request.receive)
            # Read here, not inside FastAPI, which would turn BodySizeLimit's refusal of a
            # streamed body into a 400 instead of letting the middleware answer 413.
            await deferred.body()
            return await handle(deferred)

        return handle_deferred


async def request_db(request: Request) -> AsyncIterator[SerialSession]:
    db = SerialSession(request.app.state.sessions)
    try:
        yield db
    finally:
        await db.close()


RequestDb = Annotated[SerialSession, Depends(request_db)]


async def authenticated_guard(
    request: Request, db: RequestDb, authorization: Annotated[str | None, Header()] = None
) -> OrgGuard:
    """The guard, its caller known, or a 401 before the body is looked at.

    The lookup opens the write transaction, which the save then shares as the guard's other
    lookups do; the body has been read in full by then, so no slow client holds it open.
    """
    guard = OrgGuard(request.app.state.verifier, authorization)
    async with db.use(write=True) as session:
        await guard.require_caller(session)
    return guard


AuthenticatedGuard = Annotated[OrgGuard, Depends(authenticated_guard)]


async def json_object_body(request: Request, _: AuthenticatedGuard) -> None:
    """A body that is not a JSON object at all is a 400, not a 422 (or, for some, a 500)."""
    body = await request.json()
    if isinstance(body, NotJson):
        raise BadRequest(f"The request body is not valid JSON: {body.reason}.")
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
