// Types and typed documents from the server's schema.graphql and this package's operations,
// and the patch inputs as data: `npm run codegen` rewrites src/generated/, `npm run
// codegen:check` fails when the committed files differ from a fresh generation.
import type { CodegenConfig } from "@graphql-codegen/cli";

const SHARED_CONFIG = {
  // Results are unions discriminated by a __typename that is always there.
  nonOptionalTypename: true,
  skipTypename: false,
  enumsAsTypes: true,
  useTypeImports: true,
  strictScalars: true,
  scalars: { Date: "string", DateTime: "string", JSON: "unknown" },
  avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
  // Documents as strings: no graphql-js at run time, a smaller bundle.
  documentMode: "string",
  dedupeFragments: true,
};

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  generates: {
    "src/generated/graphql.ts": {
      documents: "src/operations/*.graphql",
      plugins: ["typescript-operations", "typed-document-node"],
      config: SHARED_CONFIG,
    },
    // The goal sheet's own operations (sheet/, built into goalpost/web/): the package's
    // fragments, its sign-in, org and review queries. Not part of the package's exports.
    "sheet/generated/graphql.ts": {
      documents: ["sheet/operations/*.graphql", "src/operations/fragments.graphql"],
      plugins: ["typescript-operations", "typed-document-node"],
      config: SHARED_CONFIG,
    },
    // The patch inputs as data, for the saver's run-time check of a patch's shape.
    "src/generated/input-fields.ts": {
      plugins: ["./codegen/input-fields.js"],
      config: {},
    },
  },
};

export default config;
