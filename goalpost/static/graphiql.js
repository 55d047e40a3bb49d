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

// No subscriptionUrl: the schema has no subscriptions, so GraphiQL never opens a WebSocket.
const fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });

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
