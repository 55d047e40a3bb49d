"""Bodies that are JSON but not a request, or not JSON at all: a 400 with a code, never a 500.

Each of these was a 500 with a traceback in the log, and the server dropped the keep-alive
connection: JSON that is not an object (`null`, `5`, `true`, `"q"`), bytes that are not UTF-8,
NaN, huge numbers, deep nesting, and in a batch anything but objects. (Lone surrogates are
valid JSON text: GraphQL fails them item by item, see test_fuzz_findings.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token

RESPONSE_JSON = "application/graphql-response+json"
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
}


@pytest.mark.parametrize("url", GOOD_BODIES)
def test_live_server_keeps_the_connection_and_logs_no_traceback(
    live: tuple[LiveServer, LogLines], capfd: pytest.CaptureFixture[str], url: str
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
        for body in ODD_BODIES:
            odd = client.post(url, content=body)
            assert odd.status_code == 400, (body[:40], odd.text)
            good = client.post(url, content=good_body)
            assert good.status_code == 200 and "errors" not in good.json(), good.text
            ports |= {_client_port(odd), _client_port(good)}
    assert len(ports) == 1  # one connection served every request
    server.stop()  # a request is logged after its response is sent: wait for every line
    printed = "".join(capfd.readouterr())  # structlog prints the request log
    assert printed.count("status=400") == len(ODD_BODIES)
    assert "Traceback" not in printed
    assert not [line for line in server_log.lines if "Traceback" in line or "Exception" in line]


def _client_port(response: httpx.Response) -> int:
    stream = response.extensions["network_stream"]
    address = stream.get_extra_info("client_addr")
    return int(address[1])
