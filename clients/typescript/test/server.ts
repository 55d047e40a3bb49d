/**
 * Vitest globalSetup: the real goalpost server (`goalpost serve`) on a free port with a fresh
 * SQLite database and the demo data, and dev tokens for the tests (`inject("goalpost")`).
 * The Python virtualenv is GOALPOST_VENV (default: the repository's .venv).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import type {} from "vitest";
import type { TestProject } from "vitest/node";

export interface LiveServer {
  readonly url: string;
  readonly orgSlug: string;
  readonly periodId: string;
  readonly tokens: { readonly alice: string; readonly carol: string; readonly expired: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    goalpost: LiveServer;
  }
}

const run = promisify(execFile);
const PACKAGE_DIR = resolve(import.meta.dirname, "..");

function goalpostBin(): string {
  const venv = process.env.GOALPOST_VENV ?? resolve(PACKAGE_DIR, "../../.venv");
  return join(resolve(PACKAGE_DIR, venv), "bin", "goalpost");
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === "string") {
          fail(new Error("no port"));
        } else {
          done(address.port);
        }
      });
    });
  });
}

async function waitUntilReady(base: string, server: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (server.exitCode !== null) {
      throw new Error(`goalpost serve exited:\n${log()}`);
    }
    try {
      if ((await fetch(`${base}/readyz`)).ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`goalpost serve did not become ready:\n${log()}`);
}

async function activePeriod(url: string, token: string, orgSlug: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: "query($slug: String!) { organization(slug: $slug) { periods { id status } } }",
      variables: { slug: orgSlug },
    }),
  });
  const body = (await response.json()) as {
    data: { organization: { periods: { id: string; status: string }[] } };
  };
  const period = body.data.organization.periods.find((p) => p.status === "ACTIVE");
  if (!period) {
    throw new Error(`no ACTIVE period in ${orgSlug}`);
  }
  return period.id;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "goalpost-ts-"));
  const env = {
    ...process.env,
    GOALPOST_ENV: "dev",
    GOALPOST_DATABASE_URL: `sqlite+aiosqlite:///${join(dir, "goalpost.db")}`,
  };
  const bin = goalpostBin();
  await run(bin, ["migrate"], { env });
  await run(bin, ["seed-demo"], { env });
  const token = async (email: string, ...extra: string[]): Promise<string> =>
    (await run(bin, ["token", email, ...extra], { env })).stdout.trim();

  const port = await freePort();
  let output = "";
  const server = spawn(bin, ["serve", "--host", "127.0.0.1", "--port", String(port)], { env });
  server.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${String(port)}`;
  const stop = async (): Promise<void> => {
    if (server.exitCode === null) {
      const exited = new Promise((done) => server.once("exit", done));
      server.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(base, server, () => output);
    const url = `${base}/graphql`;
    const alice = await token("alice@acme.example");
    project.provide("goalpost", {
      url,
      orgSlug: "acme",
      periodId: await activePeriod(url, alice, "acme"),
      tokens: {
        alice,
        carol: await token("carol@acme.example"),
        expired: await token("alice@acme.example", "--ttl=-1"),
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
