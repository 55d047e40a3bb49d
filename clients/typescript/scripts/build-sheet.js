// The goal sheet (sheet/, TypeScript on this package) bundled into goalpost/web/, where the
// server serves it: the built files are committed, so `make run` needs no Node
// (docs/goal-sheet.md). `npm run build:sheet` writes them; `npm run build:sheet -- --check`
// builds into a temporary directory and fails when the committed files differ.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { argv, exit, stderr, stdout } from "node:process";

import { rolldown } from "rolldown";

const root = resolve(import.meta.dirname, "..");
const web = resolve(root, "../../goalpost/web");
const check = argv.includes("--check");

/** Build into `dir`: the page (app.js) and the package as the page loads it (client.js). */
async function build(/** @type {string} */ dir) {
  const bundle = await rolldown({
    input: { app: join(root, "sheet/main.ts"), client: join(root, "sheet/client.ts") },
    // Served by goalpost from its field declarations at run time (goalpost/sheet.py).
    external: ["/web/documents.js"],
    resolve: { alias: { "@goalpost/client": join(root, "src/index.ts") } },
    tsconfig: join(root, "tsconfig.json"),
    logLevel: "warn",
  });
  await bundle.write({
    dir,
    format: "esm",
    minify: true,
    entryFileNames: "[name].js",
    chunkFileNames: "chunk-[name].js", // shared by the page and client.js
    postBanner: "/* Built from clients/typescript/sheet/ by `npm run build:sheet`: do not edit. */",
  });
  await bundle.close();
}

/** The built scripts in `dir` (every .js there is one). */
function scripts(/** @type {string} */ dir) {
  return readdirSync(dir).filter((name) => name.endsWith(".js")).sort();
}

if (!check) {
  for (const name of scripts(web)) {
    rmSync(join(web, name)); // a chunk no longer built must not stay behind
  }
  await build(web);
  stdout.write(`goal sheet built into goalpost/web/: ${scripts(web).join(", ")}\n`);
} else {
  const fresh = mkdtempSync(join(tmpdir(), "goalpost-sheet-"));
  try {
    await build(fresh);
    const built = scripts(fresh);
    const committed = scripts(web);
    const differ = [...new Set([...built, ...committed])].filter(
      (name) =>
        !built.includes(name) ||
        !committed.includes(name) ||
        !readFileSync(join(fresh, name)).equals(readFileSync(join(web, name))),
    );
    if (differ.length > 0) {
      stderr.write(
        `goalpost/web/ differs from a fresh build of sheet/ (${differ.join(", ")}): ` +
          "run `npm run build:sheet` and commit the result\n",
      );
      exit(1);
    }
    stdout.write(`goalpost/web/ matches a fresh build of sheet/ (${built.join(", ")})\n`);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
