"""GraphiQL and /docs over HTTP: pages that name no other host, files that are the released ones."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from goalpost.ide import GRAPHIQL_CSP, GRAPHIQL_FILES, STATIC_DIR, VENDORED, VendoredFile

BROWSER = {"accept": "text/html"}
# Anything that would make a browser go elsewhere: absolute or protocol-relative URLs.
FOREIGN = re.compile(r"(https?:)?//[\w.-]+\.\w")
LINKED = re.compile(r'(?:src|href)="([^"]*)"')


async def linked_files_are_served(http: httpx.AsyncClient, page: str) -> list[str]:
    links = LINKED.findall(page)
    for link in links:
        assert link.startswith("/static/"), link
        response = await http.get(link)
        assert response.status_code == 200, link
    return links


async def test_graphiql_page_names_no_other_host(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert FOREIGN.search(page.text) is None, FOREIGN.search(page.text)
    assert page.headers["content-security-policy"] == GRAPHIQL_CSP
    assert "<script>" not in page.text  # the CSP forbids inline scripts: none is needed
    links = await linked_files_are_served(http, page.text)
    assert "/static/graphiql.js" in links
    assert all(f'integrity="{asset.integrity}"' in page.text for asset in GRAPHIQL_FILES)


async def test_docs_page_names_no_other_host(http: httpx.AsyncClient) -> None:
    page = await http.get("/docs")
    assert page.status_code == 200
    assert FOREIGN.search(page.text) is None, FOREIGN.search(page.text)
    links = await linked_files_are_served(http, page.text)
    assert "/static/vendor/swagger-ui-dist@5.35.0/swagger-ui-bundle.js" in links
    assert (await http.get("/docs/oauth2-redirect")).status_code == 200
    # ReDoc's page loads a CDN script and web fonts; it is not served.
    assert (await http.get("/redoc")).status_code == 404


async def test_graphql_api_is_unchanged_by_the_page(http: httpx.AsyncClient) -> None:
    """The page is for a browser GET only; GET queries and JSON clients still get JSON."""
    query = await http.get("/graphql", params={"query": "{ __typename }"}, headers=BROWSER)
    assert query.json() == {"data": {"__typename": "Query"}}
    plain = await http.get("/graphql", headers={"accept": "application/json"})
    assert plain.status_code == 400


@pytest.mark.parametrize("asset", VENDORED, ids=lambda asset: asset.path.split("/")[1])
def test_vendored_files_are_the_released_ones(asset: VendoredFile) -> None:
    """Byte-identical to the npm release (the hashes the browser checks too)."""
    digest = hashlib.sha384((STATIC_DIR / asset.path).read_bytes()).digest()
    assert f"sha384-{base64.b64encode(digest).decode()}" == asset.integrity


def test_every_vendored_package_carries_its_licence() -> None:
    packages = [p for p in (STATIC_DIR / "vendor").iterdir() if p.is_dir()]
    assert {p.name for p in packages} == {a.path.split("/")[1] for a in VENDORED}
    for package in packages:
        assert (package / "LICENSE").is_file(), package.name
    assert "swagger-ui-dist@5.35.0" in (STATIC_DIR / "vendor" / "README.md").read_text()
