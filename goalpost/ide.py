"""GraphiQL and Swagger UI from files this package ships, served under /static.

Strawberry's GraphiQL page and FastAPI's /docs load their scripts from public CDNs; on a machine
without them a developer sees "Loading..." forever. Here both pages load pinned copies vendored
in `goalpost/static/vendor/` (see its README: versions, sources, licences), and name no other
host. GraphiQL's files keep the `integrity` hashes Strawberry publishes for the same versions,
so the browser refuses a file that is not byte-identical to the released one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


@dataclass(frozen=True)
class VendoredFile:
    """A released file, by its path under static/ and its SRI hash (sha384)."""

    path: str
    integrity: str

    @property
    def url(self) -> str:
        return f"{STATIC_URL}/{self.path}"


REACT = VendoredFile(
    "vendor/react@18.2.0/react.production.min.js",
    "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
)
REACT_DOM = VendoredFile(
    "vendor/react-dom@18.2.0/react-dom.production.min.js",
    "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
)
GRAPHIQL_JS = VendoredFile(
    "vendor/graphiql@3.8.3/graphiql.min.js",
    "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
)
GRAPHIQL_CSS = VendoredFile(
    "vendor/graphiql@3.8.3/graphiql.min.css",
    "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
)
EXPLORER_JS = VendoredFile(
    "vendor/graphiql-plugin-explorer@1.0.2/index.umd.js",
    "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
)
EXPLORER_CSS = VendoredFile(
    "vendor/graphiql-plugin-explorer@1.0.2/style.css",
    "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
)
# GraphiQL's bundle has a graphql-ws inside but builds its client itself, retrying a refused
# socket for half a minute; this copy lets graphiql.js build one that reports it at once.
GRAPHQL_WS_JS = VendoredFile(
    "vendor/graphql-ws@6.4.2/graphql-ws.min.js",
    "sha384-mxvR4Mzbsb6QVx/9xI2gtQikQA6m8zMDBFnu3l//4/ROsWt7y2sUGWd+/tYQqDm7",
)
SWAGGER_JS = VendoredFile(
    "vendor/swagger-ui-dist@5.35.0/swagger-ui-bundle.js",
    "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
)
SWAGGER_CSS = VendoredFile(
    "vendor/swagger-ui-dist@5.35.0/swagger-ui.css",
    "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
)
SWAGGER_FAVICON = VendoredFile(
    "vendor/swagger-ui-dist@5.35.0/favicon-32x32.png",
    "sha384-vCPruBEcPmxk2uv19KNJCkWttTDv8oQxBAzSuTndOepjsIyiKHSoLNlWOcQMpXdL",
)
GRAPHIQL_FILES = (
    REACT,
    REACT_DOM,
    GRAPHIQL_JS,
    GRAPHIQL_CSS,
    EXPLORER_JS,
    EXPLORER_CSS,
    GRAPHQL_WS_JS,
)
SWAGGER_FILES = (SWAGGER_JS, SWAGGER_CSS, SWAGGER_FAVICON)
VENDORED = GRAPHIQL_FILES + SWAGGER_FILES

# No inline script: graphiql.js starts the page. 'self' covers the page's own ws:/wss: origin
# (CSP Level 3), where subscriptions go. CodeMirror and React set inline styles, and
# GraphiQL's CSS carries its fonts as data: URLs.
GRAPHIQL_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _tag(asset: VendoredFile) -> str:
    if asset.path.endswith(".css"):
        return f'<link rel="stylesheet" href="{asset.url}" integrity="{asset.integrity}">'
    return f'<script src="{asset.url}" integrity="{asset.integrity}"></script>'


GRAPHIQL_HTML = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>goalpost GraphiQL</title>
    <link rel="icon" href="{SWAGGER_FAVICON.url}">
    {_tag(GRAPHIQL_CSS)}
    {_tag(EXPLORER_CSS)}
    <link rel="stylesheet" href="{STATIC_URL}/graphiql.css">
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    {_tag(REACT)}
    {_tag(REACT_DOM)}
    {_tag(GRAPHIQL_JS)}
    {_tag(EXPLORER_JS)}
    {_tag(GRAPHQL_WS_JS)}
    <script src="{STATIC_URL}/graphiql.js"></script>
  </body>
</html>
"""


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page for a browser GET of /graphql (Strawberry's, minus the CDNs)."""
    return HTMLResponse(GRAPHIQL_HTML, headers={"Content-Security-Policy": GRAPHIQL_CSP})


def serve_static_and_docs(app: FastAPI) -> None:
    """Mount /static and serve /docs from it; create the app with `docs_url=None`."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            swagger_js_url=SWAGGER_JS.url,
            swagger_css_url=SWAGGER_CSS.url,
            swagger_favicon_url=SWAGGER_FAVICON.url,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
