// The package's weight in an app: the built entries bundled as an app's bundler would (its one
// runtime dependency, graphql-ws's client, included; React, the app's own, left out), minified,
// then gzip -9. Run after `npm run build`: `npm run size`.
import { readFileSync, readdirSync } from "node:fs";
import { stdout } from "node:process";
import { gzipSync } from "node:zlib";

import { rolldown } from "rolldown";

/** @param {string} label @param {string} code */
async function measure(label, code) {
  const bundle = await rolldown({
    input: "entry.js",
    plugins: [virtualEntry(code)],
    external: (/** @type {string} */ id) => id === "react" || id.startsWith("react/"),
    logLevel: "silent",
  });
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
const react = new URL("../dist/react/index.js", import.meta.url).pathname;
await measure("GoalpostClient (with graphql-ws)", `export { GoalpostClient } from ${JSON.stringify(dist)};`);
await measure("GoalpostClient + AutoSaver (with graphql-ws)", `export { GoalpostClient, AutoSaver } from ${JSON.stringify(dist)};`);
await measure("everything the entry exports", `export * from ${JSON.stringify(dist)};`);
await measure(
  "GoalpostClient + useGoalAutoSave (no React)",
  `export { GoalpostClient } from ${JSON.stringify(dist)}; export { useGoalAutoSave } from ${JSON.stringify(react)};`,
);

// The goal sheet as the browser loads it: the committed build in goalpost/web/ (`npm run
// build:sheet`, minified), the page and the chunk it shares with client.js.
const web = new URL("../../../goalpost/web/", import.meta.url);
const loaded = ["app.js", ...readdirSync(web).filter((name) => name.startsWith("chunk-"))];
const sheet = loaded.map((name) => readFileSync(new URL(name, web), "utf8")).join("");
const sheetKB = (/** @type {number} */ bytes) => (bytes / 1024).toFixed(1).padStart(6);
stdout.write(
  `${`the goal sheet (${loaded.join(" + ")})`.padEnd(44)} ${sheetKB(sheet.length)} kB min ${sheetKB(gzipSync(sheet, { level: 9 }).length)} kB gzip\n`,
);
