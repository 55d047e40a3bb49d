/**
 * For the live-changes tests (test/live.test.ts, test/sheet-live.test.ts,
 * test/autosave-live.test.ts), against the real server (test/server.ts): a WebSocket proxy that
 * closes a client's socket as a server or a network would, ends its subscriptions as the server
 * does, or keeps the server's notices from it; a LiveChanges that records what it hears; goals
 * changed elsewhere. Each test file runs `cleanups` after each test.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";

import { inject } from "vitest";
import WebSocket, { WebSocketServer, type RawData } from "ws";

import { GoalpostClient, LiveChanges, type GoalSaveResult, type LiveChangesOptions, type LiveNotice, type LiveState } from "../src/index.js";

export const server = inject("goalpost");
export const period = { orgSlug: server.orgSlug, periodId: server.periodId };
const PROTOCOL = "graphql-transport-ws";

function text(data: RawData): string {
  if (Array.isArray(data)) {
    return Buffer.concat(data).toString();
  }
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(new Uint8Array(data)).toString();
}

/**
 * A WebSocket proxy in front of the server. Each page socket gets its own socket to the
 * server; the test closes the page's side with any code, or ends a subscription as the server
 * does, or keeps the server's notices from the page.
 */
export class SocketProxy {
  connections = 0;
  subscribes = 0;
  dropped = 0;
  /** Keep `next` messages from the page (a notice the page never gets). */
  dropNotices = false;
  private readonly pages = new Map<WebSocket, WebSocket>();
  private readonly subscriptions = new Map<WebSocket, string[]>();

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** Client sockets open now: none while a drop lasts. */
  get open(): number {
    return this.pages.size;
  }

  static async start(target: string): Promise<SocketProxy> {
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
    });
    await new Promise<void>((done) => wss.once("listening", done));
    const { port } = wss.address() as AddressInfo;
    const proxy = new SocketProxy(wss, `ws://127.0.0.1:${String(port)}/graphql`);
    wss.on("connection", (page) => {
      proxy.connect(page, target);
    });
    return proxy;
  }

  private connect(page: WebSocket, target: string): void {
    this.connections += 1;
    const upstream = new WebSocket(target, PROTOCOL);
    const waiting: RawData[] = [];
    this.pages.set(page, upstream);
    this.subscriptions.set(page, []);
    upstream.on("open", () => {
      for (const data of waiting.splice(0)) {
        upstream.send(text(data));
      }
    });
    page.on("message", (data) => {
      const message = JSON.parse(text(data)) as { type: string; id?: string };
      if (message.type === "subscribe" && message.id !== undefined) {
        this.subscribes += 1;
        this.subscriptions.get(page)?.push(message.id);
      }
      if (upstream.readyState === WebSocket.OPEN) {
        upstream.send(text(data));
      } else {
        waiting.push(data);
      }
    });
    upstream.on("message", (data) => {
      if (this.dropNotices && (JSON.parse(text(data)) as { type: string }).type === "next") {
        this.dropped += 1;
        return;
      }
      page.send(text(data));
    });
    upstream.on("close", (code, reason) => {
      // 1005/1006 cannot be sent in a close frame: a dropped server is "going away".
      page.close(code === 1005 || code === 1006 ? 1001 : code, reason.toString());
    });
    page.on("close", () => {
      this.pages.delete(page);
      upstream.close();
    });
  }

  /** Close every page socket, as the server would (e.g. 1013 LIVE_OVERFLOW). */
  closePages(code: number, reason: string): void {
    for (const page of this.pages.keys()) {
      page.close(code, reason);
    }
  }

  /** End the page's subscriptions as the server does after an error: `next` with it, then
   * `complete` (the server's side is completed too). */
  endSubscriptions(code: string): void {
    for (const [page, upstream] of this.pages) {
      for (const id of this.subscriptions.get(page)?.splice(0) ?? []) {
        const errors = [{ message: code, extensions: { code } }];
        page.send(JSON.stringify({ id, type: "next", payload: { errors } }));
        page.send(JSON.stringify({ id, type: "complete" }));
        upstream.send(JSON.stringify({ id, type: "complete" }));
      }
    }
  }

  async close(): Promise<void> {
    for (const page of this.pages.keys()) {
      page.terminate();
    }
    await new Promise((done) => {
      this.wss.close(done);
    });
  }
}

/** Wait until `condition` holds, polling every 20 ms. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((done) => setTimeout(done, 20));
  }
}

export const cleanups: (() => Promise<void> | void)[] = [];


export async function proxy(): Promise<SocketProxy> {
  const made = await SocketProxy.start(server.url.replace(/^http/, "ws"));
  cleanups.push(() => made.close());
  return made;
}

/** The GraphQL operations a client sent, by name. */
export function countingClient(token: string, sent: string[]): GoalpostClient {
  return new GoalpostClient({
    url: server.url,
    token,
    fetch: (input, init) => {
      const query = typeof init?.body === "string" ? (JSON.parse(init.body) as { query: string }).query : "";
      sent.push(/(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "?");
      return fetch(input, init);
    },
  });
}

export interface Followed {
  readonly live: LiveChanges;
  readonly notices: LiveNotice[];
  readonly states: LiveState[];
  /** The GraphQL operations it sent over HTTP, by name. */
  readonly sent: string[];
  readonly resyncs: number[];
}

export function follow(url: string, options: Partial<LiveChangesOptions> = {}, token = server.tokens.alice): Followed {
  const notices: LiveNotice[] = [];
  const states: LiveState[] = [];
  const sent: string[] = [];
  const resyncs: number[] = [];
  const live = new LiveChanges({
    client: countingClient(token, sent),
    ...period,
    url,
    webSocketImpl: WebSocket,
    onNotice: (notice) => notices.push(notice),
    onResync: () => resyncs.push(Date.now()),
    onState: (state) => states.push(state),
    ...options,
  });
  cleanups.push(() => {
    live.close();
  });
  live.start();
  return { live, notices, states, sent, resyncs };
}

export const elsewhere = new GoalpostClient({ url: server.url, token: server.tokens.alice });

export async function save(item: Parameters<GoalpostClient["batchSaveGoals"]>[0]["items"][number]): Promise<GoalSaveResult> {
  const { results } = await elsewhere.batchSaveGoals({ ...period, items: [item] });
  const [result] = results;
  if (result?.__typename !== "GoalSaved" && result?.__typename !== "GoalDeleted") {
    throw new Error(`not saved: ${JSON.stringify(result)}`);
  }
  return result;
}

export async function created(title: string): Promise<{ clientId: string; id: string }> {
  const result = await save({ clientId: `live-${randomUUID()}`, performance: { title } });
  if (result.__typename !== "GoalSaved") {
    throw new Error("not saved");
  }
  return { clientId: result.clientId, id: result.goal.id };
}

export async function retitled(goal: { clientId: string; id: string }, version: number, title: string): Promise<void> {
  await save({ ...goal, expectedVersion: version, performance: { title } });
}

export const noticeOf = (followed: Followed, goalId: string, version: number) => (): boolean =>
  followed.notices.some((n) => n.goalId === goalId && n.version === version);
