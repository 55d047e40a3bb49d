// Starts GraphiQL on /graphql with the explorer plugin (after Strawberry's page, MIT).
// A file rather than an inline script, so the page's CSP can forbid inline scripts.
// The query, variables and headers can come from the URL (?q=…&variables=…&headers=…).
"use strict";

const EXAMPLE_QUERY = `# goalpost GraphiQL
#
# Every operation needs a token. Open "Headers" below and paste, e.g.
#   {"Authorization": "Bearer <token>"}
# (\`make tokens\` or \`goalpost token alice@acme.example\` prints one on a dev server.)
#
# Run: Ctrl-Enter or the play button.

{
  me {
    email
    memberships {
      role
      organization { slug }
    }
  }
}
`;

const parameters = {};
for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const search = Object.keys(parameters)
    .filter((key) => Boolean(parameters[key]))
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(parameters[key])}`)
    .join("&");
  history.replaceState(null, "", `?${search}`);
}

// The page is served where the API is (/graphql): queries and mutations go to its own URL,
// subscriptions (goalChanged) over graphql-transport-ws to the same path and origin, ws://
// beside http://, wss:// beside https://.
const GRAPHQL_URL = window.location.href.split(/[?#]/)[0];
const SOCKET_URL = GRAPHQL_URL.replace(/^http/, "ws");

// The socket takes its token in connection_init, as {"Authorization": "Bearer …"}
// (docs/live.md); the pane's other headers mean nothing there.
function connectionParams(headers) {
  const name = Object.keys(headers || {}).find((key) => key.toLowerCase() === "authorization");
  return name === undefined ? {} : { Authorization: headers[name] };
}

// GraphiQL passes the Headers pane to every run. A subscription gets a socket of its own,
// opened with the token in the pane at that moment and closed when the run stops (lazy).
// No retries: a refused token (4403) shows in the result pane at once.
function fetcher(params, options) {
  const wsClient = graphqlWs.createClient({
    url: SOCKET_URL,
    connectionParams: connectionParams(options && options.headers),
    retryAttempts: 0,
  });
  return GraphiQL.createFetcher({ url: GRAPHQL_URL, wsClient })(params, options);
}

function GoalpostGraphiQL() {
  const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const [headers, setHeaders] = React.useState(parameters.headers);
  const explorer = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);

  return React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [explorer],
    query,
    variables,
    headers,
    onEditQuery(value) {
      setQuery(value);
      updateURL({ q: value });
    },
    onEditVariables(value) {
      setVariables(value);
      updateURL({ variables: value });
    },
    // Headers stay out of the URL: they usually hold a bearer token.
    onEditHeaders: setHeaders,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GoalpostGraphiQL),
);
