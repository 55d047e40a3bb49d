"""The goal sheet's files and the dev-only token endpoint, over HTTP (no browser needed)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from goalpost.app import WEB_DIR, create_app
from goalpost.config import Settings
from goalpost.services.demo import USERS

ME = "{ me { email memberships { organization { slug } } } }"


@pytest.fixture
async def prod_http(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(env="prod", database_url=database_url, jwt_secret="p" * 40)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://goalpost.test") as client:
        yield client
    await app.state.engine.dispose()


async def test_the_sheet_is_served_at_the_root(http: httpx.AsyncClient) -> None:
    page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/web/app.js">' in page.text

    # The sheet built from clients/typescript/sheet/ (docs/goal-sheet.md), every chunk its page
    # script imports, and the field declarations' module the server writes itself.
    app = (await http.get("/web/app.js")).text
    chunks = set(re.findall(r'(?:from|import)\s*"\./([\w.-]+\.js)"', app))
    assert chunks, "app.js imports its shared chunk"
    for name in ("app.js", "client.js", "documents.js", *sorted(chunks)):
        module = await http.get(f"/web/{name}")
        assert module.status_code == 200, name
        assert "javascript" in module.headers["content-type"], name
    assert (await http.get("/web/style.css")).headers["content-type"].startswith("text/css")


def test_the_sheet_fetches_nothing_from_elsewhere() -> None:
    """No CDN, no web fonts: every file the page loads comes from this server."""
    for path in WEB_DIR.iterdir():
        text = path.read_text()
        for foreign in ("http://", "https://", "//cdn", "@import"):
            assert foreign not in text, f"{path.name} refers to {foreign!r}"
    assert "default-src 'self'" in (WEB_DIR / "index.html").read_text()


async def test_dev_tokens_sign_in_every_demo_user(http: httpx.AsyncClient) -> None:
    response = await http.get("/dev/tokens")
    assert response.status_code == 200
    tokens = response.json()
    assert [t["name"] for t in tokens] == list(USERS)
    carol = next(t for t in tokens if t["name"] == "carol")
    assert carol["memberships"] == ["acme supervisor", "globex employee"]
    for entry in tokens:
        headers = {"authorization": f"Bearer {entry['token']}"}
        body = (await http.post("/graphql", json={"query": ME}, headers=headers)).json()
        assert body["data"]["me"]["email"] == entry["email"]


async def test_dev_tokens_do_not_exist_in_prod(prod_http: httpx.AsyncClient) -> None:
    assert (await prod_http.get("/dev/tokens")).status_code == 404
    assert (await prod_http.get("/")).status_code == 200  # the sheet itself is for everyone
    assert "/dev/tokens" not in (await prod_http.get("/openapi.json")).text
