import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

export default defineConfig({
  // The goal sheet (sheet/) imports the package by its name, from its sources (as tsconfig.json).
  resolve: { alias: { "@goalpost/client": fileURLToPath(new URL("./src/index.ts", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    globalSetup: ["test/server.ts"],
    // One live server is shared: files run one after another, as its demo data is shared too.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
