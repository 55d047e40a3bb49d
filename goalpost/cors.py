"""CORS for frontends served from another origin (GOALPOST_CORS_ORIGINS, docs/http.md).

Starlette's middleware does the work; the one change: a preflight from an origin not listed
gets no Access-Control-* header at all (Starlette still sends the allowed methods and headers),
so nothing about the API's CORS policy is told to an origin it does not serve.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response

# What a frontend sends: GraphQL over GET and POST, the REST twin's POSTs; a bearer token and
# a JSON body. No cookies are read, so no credentials mode.
METHODS = ("GET", "POST")
HEADERS = ("Authorization", "Content-Type")


class ListedOriginsCORS(CORSMiddleware):
    """CORS for the listed origins only; give it `allow_origins`."""

    def preflight_response(self, request_headers: Headers) -> Response:
        if self.is_allowed_origin(request_headers["origin"]):
            return super().preflight_response(request_headers)
        return PlainTextResponse(
            "Disallowed CORS origin", status_code=400, headers={"Vary": "Origin"}
        )
