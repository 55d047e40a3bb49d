"""Bodies that are JSON but not a request, or not JSON at all: a 400 with a code, never a 500.

Each of these was a 500 with a traceback in the log, and the server dropped the keep-alive
connection: JSON that is not an object (`null`, `5`, `true`, `"q"`), bytes that are not UTF-8,
NaN, huge numbers, deep nesting, and in a batch anything but objects; on the REST twin also
lone surrogates, which its UTF-8 answers cannot echo back (GraphQL fails them item by item,
see test_fuzz_findings).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token
from tests.conftest import ACME_ACTIVE

RESPONSE_JSON = "application/graphql-response+json"
REST_URL = "/org/acme/goals/batch-save"
ME = "{ me { email } }"

NOT_AN_OBJECT = [b"null", b"5", b"true", b'"q"', b"[]", b'[{"query": "{ me { id } }"}]']
NOT_JSON = {
    "invalid UTF-8": b'{"query": "{ me { id } }", "variables": {"a": "\xff"}}',
    "undecodable start": b"\xff\xfe{}",
    "NaN": b'{"query": "{ me { id } }", "variables": {"a": NaN}}',
    "number beyond a double": b'{"query": "{ me { id } }", "variables": {"a": 1e999}}',
    "5000-digit integer": b'{"query": "{ me { id } }", "variables": {"a": ' + b"7" * 5000 + b"}}",
    "nesting 100 000 deep": b"[" * 100_000 + b"]" * 100_000,
    "truncated": b'{"query": ',
    "empty": b"",
}
ODD_BODIES = [*NOT_AN_OBJECT, *NOT_JSON.values()]
ODD_IDS = [*(b.decode()[:20] for b in NOT_AN_OBJECT), *NOT_JSON]
LONE_SURROGATE = b'{"period_id": "x", "goals": [{"client_id": "\\ud800"}]}'
ODD_REST_BODIES = {**dict(zip(ODD_IDS, ODD_BODIES, strict=True)), "lone surrogate": LONE_SURROGATE}
ODD_BY_URL = {"/graphql": ODD_BODIES, REST_URL: list(ODD_REST_BODIES.values())}


def bad_request_error(response: httpx.Response) -> str:
    """The one error of a refused GraphQL request; its message."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    message: str = error["message"]
    return message


async def post_raw(
    http: httpx.AsyncClient, url: str, body: bytes, **headers: str
) -> httpx.Response:
    return await http.post(
        url, content=body, headers={"content-type": "application/json", **headers}
    )


@pytest.mark.parametrize("accept", ["application/json", RESPONSE_JSON])
@pytest.mark.parametrize("body", ODD_BODIES, ids=ODD_IDS)
async def test_graphql_refuses_odd_bodies_with_400(
    http: httpx.AsyncClient, body: bytes, accept: str
) -> None:
    response = await post_raw(http, "/graphql", body, accept=accept)
    bad_request_error(response)
    assert response.headers["content-type"].startswith(accept)


async def test_graphql_says_what_is_wrong(http: httpx.AsyncClient) -> None:
    async def message(body: Any) -> str:
        return bad_request_error(await post_raw(http, "/graphql", json.dumps(body).encode()))

    assert await message(None) == "The request body must be a JSON object."
    assert await message({"query": 5}) == "`query` must be a string or null."
    assert await message({"query": ME, "operationName": ["x"]}) == (
        "`operationName` must be a string or null."
    )
    assert await message({"query": ME, "variables": "{}"}) == (
        "`variables` must be an object or null."
    )
    assert await message({"query": ME, "extensions": 1}) == (
        "`extensions` must be an object or null."
    )
    broken = bad_request_error(await post_raw(http, "/graphql", NOT_JSON["invalid UTF-8"]))
    assert broken.startswith("The request body is not valid JSON: ")


async def test_graphql_get_names_the_parameter_that_is_not_json(http: httpx.AsyncClient) -> None:
    for name in ("variables", "extensions"):
        response = await http.get("/graphql", params={"query": ME, name: "{nope"})
        assert bad_request_error(response).startswith(f"`{name}` is not valid JSON: ")
    undecodable = await http.get("/graphql?query=%7B%20me%20%7B%20id%20%7D%20%7D&variables=%FF")
    assert bad_request_error(undecodable).startswith("`variables` is not valid JSON: ")


async def test_graphql_refusals_of_strawberry_are_json_too(http: httpx.AsyncClient) -> None:
    """Strawberry's own refusals (a mutation over GET, a batch when batching is off) used to
    be plain text."""
    mutation = await http.get("/graphql", params={"query": "mutation { __typename }"})
    assert bad_request_error(mutation) == "mutations are not allowed when using GET"
    batch = await post_raw(http, "/graphql", json.dumps([{"query": ME}]).encode())
    assert bad_request_error(batch) == "Batching is not enabled"


@pytest.fixture
async def batching(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"graphql_batching": 5}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([{"query": ME}, 1], "Each operation of a batch must be a JSON object."),
        ([None], "Each operation of a batch must be a JSON object."),
        ([[]], "Each operation of a batch must be a JSON object."),
        ([{"query": 5}], "`query` must be a string or null."),
        ([{"query": ME, "variables": 5}], "`variables` must be an object or null."),
    ],
)
async def test_graphql_batch_members_are_checked(
    batching: httpx.AsyncClient, batch: list[Any], message: str
) -> None:
    assert bad_request_error(await post_raw(batching, "/graphql", json.dumps(batch).encode())) == (
        message
    )
    fine = await post_raw(batching, "/graphql", json.dumps([{"query": "{ __typename }"}]).encode())
    assert fine.json() == [{"data": {"__typename": "Query"}}]


@pytest.mark.parametrize("body", ODD_REST_BODIES.values(), ids=ODD_REST_BODIES.keys())
async def test_rest_refuses_odd_bodies_with_400(
    http: httpx.AsyncClient, token: Callable[[str], str], body: bytes
) -> None:
    response = await post_raw(http, REST_URL, body, authorization=f"Bearer {token('alice')}")
    assert response.status_code == 400, response.text
    refused = response.json()
    assert refused["code"] == "BAD_REQUEST" and refused["retryable"] is False
    expected = "must be a JSON object" if body in NOT_AN_OBJECT else "is not valid JSON: "
    assert refused["message"].startswith(f"The request body {expected}")


async def test_rest_huge_number_in_a_field_is_a_400_not_a_500(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """A 422 echoes the value it refused; 1e999 (inf) cannot be written back as JSON."""
    response = await post_raw(
        http,
        REST_URL,
        b'{"period_id": 1e999, "goals": []}',
        authorization=f"Bearer {token('alice')}",
    )
    assert response.status_code == 400
    assert response.json()["message"].endswith("not valid JSON: the number 1e999 is too large.")


async def test_rest_streamed_body_over_the_limit_is_413(
    settings: Settings, token: Callable[[str], str]
) -> None:
    """Without Content-Length the limit trips while FastAPI reads the body; FastAPI used to
    answer that with its own 400."""
    app: FastAPI = create_app(settings.model_copy(update={"max_body_bytes": 2000}))

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"period_id": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'", "goals": []}'

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        for headers in ({"authorization": f"Bearer {token('alice')}"}, {}):
            response = await client.post(
                REST_URL, content=chunks(), headers={"content-type": "application/json", **headers}
            )
            assert response.status_code == 413
            assert response.json()["code"] == "BODY_TOO_LARGE"
    await app.state.engine.dispose()


class LogLines(logging.Handler):
    """uvicorn's log records as text, traceback included (uvicorn logs an app's crash as
    "Exception in ASGI application" with its traceback)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[LiveServer, LogLines]]:
    with LiveServer(settings) as server:
        server.reset()
        server_log = LogLines()
        uvicorn_log = logging.getLogger("uvicorn")  # configured by the server's start
        uvicorn_log.addHandler(server_log)
        try:
            yield server, server_log
        finally:
            uvicorn_log.removeHandler(server_log)


GOOD_BODIES: dict[str, Any] = {
    "/graphql": {"query": ME},
    REST_URL: {"period_id": ACME_ACTIVE, "goals": [{"client_id": "k", "performance": {}}]},
}


@pytest.mark.parametrize("url", GOOD_BODIES)
def test_live_server_keeps_the_connection_and_logs_no_traceback(
    live: tuple[LiveServer, LogLines], url: str
) -> None:
    """Against uvicorn: each odd body, then a good request, all over one keep-alive connection.

    A 500 used to reset the connection (the next request failed with ECONNRESET) and log a
    traceback.
    """
    server, server_log = live
    headers = {
        "authorization": f"Bearer {demo_token(server.settings, 'alice')}",
        "content-type": "application/json",
    }
    good_body = json.dumps(GOOD_BODIES[url]).encode()
    ports = set()
    with httpx.Client(base_url=server.url, headers=headers) as client:
        for body in ODD_BY_URL[url]:
            odd = client.post(url, content=body)
            assert odd.status_code == 400, (body[:40], odd.text)
            good = client.post(url, content=good_body)
            assert good.status_code == 200 and "errors" not in good.json(), good.text
            ports |= {_client_port(odd), _client_port(good)}
    assert len(ports) == 1  # one connection served every request
    server.stop()  # a request is logged after its response is sent: wait for every line
    printed = "\n".join(server.log_lines())  # the request log (structlog), kept by the server
    assert printed.count("status=400") == len(ODD_BY_URL[url])
    assert "Traceback" not in printed
    assert not [line for line in server_log.lines if "Traceback" in line or "Exception" in line]


def _client_port(response: httpx.Response) -> int:
    stream = response.extensions["network_stream"]
    address = stream.get_extra_info("client_addr")
    return int(address[1])
