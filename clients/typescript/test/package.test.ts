/** The package as an app gets it: the core entry bundles without React (only the `./react`
 * entry imports it), and docs/frontend.md shows the React example the consumer check compiles. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import { rolldown } from "rolldown";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = resolve(import.meta.dirname, "..");

/** The bare modules a bundle of `entry` (built, in dist/) still imports, React kept outside. */
async function externalImports(entry: string): Promise<string[]> {
  const bundle = await rolldown({
    input: resolve(PACKAGE_DIR, "dist", entry),
    external: (id) => id === "react" || id.startsWith("react/") || id === "react-dom",
    logLevel: "silent",
  });
  const { output } = await bundle.generate({ format: "esm" });
  await bundle.close();
  return output.flatMap((chunk) => (chunk.type === "chunk" ? chunk.imports : []));
}

describe("the package", () => {
  it("keeps React out of the core entry: only @goalpost/client/react imports it", async () => {
    expect(await externalImports("index.js")).toEqual([]);
    expect(await externalImports("react/index.js")).toEqual(["react"]);
  });

  it("shows in docs/frontend.md the React example that test/consumer compiles", async () => {
    const doc = await readFile(resolve(PACKAGE_DIR, "../../docs/frontend.md"), "utf8");
    const example = await readFile(resolve(PACKAGE_DIR, "test/consumer/react-example.tsx"), "utf8");
    const blocks = [...doc.matchAll(/^```tsx\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
    expect(blocks).toContain(example);
  });
});
