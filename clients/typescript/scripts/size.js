// The package's weight in an app: the built entry bundled as an app's bundler would (its one
// runtime dependency, graphql-ws's client, included), minified, then gzip -9. Run after
// `npm run build`: `npm run size`.
import { stdout } from "node:process";
import { gzipSync } from "node:zlib";

import { rolldown } from "rolldown";

/** @param {string} label @param {string} code */
async function measure(label, code) {
  const bundle = await rolldown({ input: "entry.js", plugins: [virtualEntry(code)], logLevel: "silent" });
  const { output } = await bundle.generate({ format: "esm", minify: true });
  const text = output.map((chunk) => (chunk.type === "chunk" ? chunk.code : "")).join("");
  const gzip = gzipSync(text, { level: 9 }).length;
  const kB = (/** @type {number} */ bytes) => (bytes / 1024).toFixed(1).padStart(6);
  stdout.write(`${label.padEnd(44)} ${kB(text.length)} kB min ${kB(gzip)} kB gzip\n`);
}

/** @param {string} code @returns {import("rolldown").Plugin} */
function virtualEntry(code) {
  return {
    name: "entry",
    resolveId: (/** @type {string} */ id) => (id === "entry.js" ? id : null),
    load: (/** @type {string} */ id) => (id === "entry.js" ? code : null),
  };
}

const dist = new URL("../dist/index.js", import.meta.url).pathname;
await measure("GoalpostClient (with graphql-ws)", `export { GoalpostClient } from ${JSON.stringify(dist)};`);
await measure("GoalpostClient + AutoSaver (with graphql-ws)", `export { GoalpostClient, AutoSaver } from ${JSON.stringify(dist)};`);
await measure("everything the entry exports", `export * from ${JSON.stringify(dist)};`);
