import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import { defineConfig, type Plugin } from "vitest/config";

const PACKAGE_DIR = import.meta.dirname;
const DOCUMENTS = "\0goalpost-web-documents";

/** The sheet's `/web/documents.js` (its form fields), made by goalpost as the server serves it:
 * the sheet's modules can be tested on the real field declarations, never on a copy. */
function webDocuments(): Plugin {
  return {
    name: "goalpost-web-documents",
    resolveId: (id) => (id === "/web/documents.js" ? DOCUMENTS : null),
    async load(id) {
      if (id !== DOCUMENTS) {
        return null;
      }
      const venv = resolve(PACKAGE_DIR, process.env.GOALPOST_VENV ?? "../../.venv");
      const script = "from goalpost.sheet import documents_module; print(documents_module())";
      return (await promisify(execFile)(join(venv, "bin", "python"), ["-c", script])).stdout;
    },
  };
}

export default defineConfig({
  // The goal sheet's modules (sheet/) import the package by its name, as in their build.
  resolve: { alias: { "@goalpost/client": join(PACKAGE_DIR, "src/index.ts") } },
  plugins: [webDocuments()],
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    globalSetup: ["test/server.ts"],
    // One live server is shared: files run one after another, as its demo data is shared too.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
