/**
 * The goal sheet's live changes (sheet/live.ts, sheet/live-sheet.ts) against the real server
 * (test/server.ts), through a WebSocket proxy that closes the page's socket as a server or a
 * network would: catch-up from the cursor after a reconnection, at once after LIVE_OVERFLOW,
 * a read of everything without a cursor or with one the server refuses, a refused token stops
 * (docs/live.md). And what the sheet does with the notices, with the package's AutoSaver.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, inject, it } from "vitest";
import WebSocket, { WebSocketServer, type RawData } from "ws";

import { AutoSaver, GoalpostClient, type GoalSaveResult } from "../src/index.js";
import { SheetApi, type SheetGoal } from "../sheet/api.js";
import { SheetFollower, type FollowedTeam } from "../sheet/live-sheet.js";
import { LiveChanges, type LiveChangesOptions, type LiveNotice, type LiveState } from "../sheet/live.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };
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
class SocketProxy {
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

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function proxy(): Promise<SocketProxy> {
  const made = await SocketProxy.start(server.url.replace(/^http/, "ws"));
  cleanups.push(() => made.close());
  return made;
}

/** The GraphQL operations a client sent, by name. */
function countingClient(token: string, sent: string[]): GoalpostClient {
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

interface Followed {
  readonly live: LiveChanges;
  readonly notices: LiveNotice[];
  readonly states: LiveState[];
  /** The GraphQL operations it sent over HTTP, by name. */
  readonly sent: string[];
  readonly resyncs: number[];
}

function follow(url: string, options: Partial<LiveChangesOptions> = {}, token = server.tokens.alice): Followed {
  const notices: LiveNotice[] = [];
  const states: LiveState[] = [];
  const sent: string[] = [];
  const resyncs: number[] = [];
  const live = new LiveChanges({
    api: { token, client: countingClient(token, sent) },
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

const elsewhere = new GoalpostClient({ url: server.url, token: server.tokens.alice });

async function save(item: Parameters<GoalpostClient["batchSaveGoals"]>[0]["items"][number]): Promise<GoalSaveResult> {
  const { results } = await elsewhere.batchSaveGoals({ ...period, items: [item] });
  const [result] = results;
  if (result?.__typename !== "GoalSaved" && result?.__typename !== "GoalDeleted") {
    throw new Error(`not saved: ${JSON.stringify(result)}`);
  }
  return result;
}

async function created(title: string): Promise<{ clientId: string; id: string }> {
  const result = await save({ clientId: `live-${randomUUID()}`, performance: { title } });
  if (result.__typename !== "GoalSaved") {
    throw new Error("not saved");
  }
  return { clientId: result.clientId, id: result.goal.id };
}

async function retitled(goal: { clientId: string; id: string }, version: number, title: string): Promise<void> {
  await save({ ...goal, expectedVersion: version, performance: { title } });
}

const noticeOf = (followed: Followed, goalId: string, version: number) => (): boolean =>
  followed.notices.some((n) => n.goalId === goalId && n.version === version);

describe("LiveChanges", () => {
  it("catches up from its cursor after a drop, once back after the backoff", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 1000, random: () => 1 });
    await until(() => socket.subscribes === 1, "the subscription");
    const goal = await created("Before the drop");
    await until(noticeOf(page, goal.id, 1), "the notice of the create");

    socket.closePages(1001, "going away");
    const dropped = Date.now();
    await until(() => page.live.state === "retrying", "retrying");
    await retitled(goal, 1, "While it was down");

    await until(noticeOf(page, goal.id, 2), "the missed change, caught up");
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(900); // the backoff: 1000 ms
    expect(page.live.state).toBe("live");
    expect(socket.connections).toBe(2);
    expect(page.sent).toEqual(["GoalChangesSince"]);
    expect(page.states).toEqual(["connecting", "live", "retrying", "retrying", "live"]);
    expect(page.live.cursor).toBe(page.notices.at(-1)?.cursor);
  });

  it("comes back at once after a close with 1013 LIVE_OVERFLOW, and catches up", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 60_000 }); // a backoff would time out
    await until(() => socket.subscribes === 1, "the subscription");
    const goal = await created("Before the overflow");
    await until(noticeOf(page, goal.id, 1), "the notice of the create");

    socket.dropNotices = true; // the notice the overflow lost
    await retitled(goal, 1, "Lost in the overflow");
    await until(() => socket.dropped === 1, "the lost notice");
    socket.dropNotices = false;
    socket.closePages(1013, "LIVE_OVERFLOW");

    await until(noticeOf(page, goal.id, 2), "the lost change, caught up", 5000);
    expect(page.live.overflows).toBe(1);
    expect(socket.connections).toBe(2);
    expect(page.sent).toEqual(["GoalChangesSince"]);
    await until(() => socket.subscribes === 2, "subscribed again");
    await retitled(goal, 2, "After the overflow"); // and it follows on from there
    await until(noticeOf(page, goal.id, 3), "the next change");
  });

  it("subscribes again on the same socket when the server ends the subscription", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 60_000 });
    await until(() => socket.subscribes === 1, "the subscription");
    const goal = await created("Before the end");
    await until(noticeOf(page, goal.id, 1), "the notice of the create");

    socket.dropNotices = true;
    await retitled(goal, 1, "Lost when it ended");
    await until(() => socket.dropped === 1, "the lost notice");
    socket.dropNotices = false;
    socket.endSubscriptions("LIVE_OVERFLOW");

    await until(noticeOf(page, goal.id, 2), "the lost change, caught up", 5000);
    expect(socket.subscribes).toBe(2);
    expect(socket.connections).toBe(1); // the same socket
    expect(page.live.overflows).toBe(1);
    expect(page.sent).toEqual(["GoalChangesSince"]);
    expect(page.live.state).toBe("live");
  });

  it("asks for everything again when it reconnects without a cursor", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 50 });
    await until(() => socket.subscribes === 1, "the subscription");
    socket.closePages(1001, "going away");
    await until(() => page.resyncs.length === 1, "a resync");
    expect(page.sent).toEqual([]); // no cursor: nothing to catch up from
    expect(page.live.state).toBe("live");
  });

  it("asks for everything again when the server refuses its cursor (BAD_CURSOR)", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 60_000 });
    await until(() => socket.subscribes === 1, "the subscription");
    const goal = await created("Before the deployment");
    await until(noticeOf(page, goal.id, 1), "the notice of the create");
    const cursor = page.live.cursor ?? "";
    page.live.cursor = cursor.slice(0, -2) + (cursor.endsWith("AA") ? "BB" : "AA"); // another secret's

    socket.closePages(1013, "LIVE_OVERFLOW");
    await until(() => page.resyncs.length === 1, "a resync");
    expect(page.sent).toEqual(["GoalChangesSince"]);
    expect(page.live.cursor).toBeNull();
    await retitled(goal, 1, "After the deployment"); // and it goes on following
    await until(noticeOf(page, goal.id, 2), "the next change");
  });

  it("tries again with a new socket after a close graphql-ws counts as fatal (1008)", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 50 });
    await until(() => socket.subscribes === 1, "the subscription");
    const goal = await created("Before too many sockets");
    await until(noticeOf(page, goal.id, 1), "the notice of the create");

    socket.closePages(1008, "TOO_MANY_SOCKETS: 10 already");
    await until(() => page.live.state === "retrying", "retrying");
    await retitled(goal, 1, "While it was refused");
    await until(noticeOf(page, goal.id, 2), "the missed change, caught up");
    expect(socket.connections).toBe(2);
    expect(page.sent).toEqual(["GoalChangesSince"]);
  });

  it("stops for good on a refused token", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 50 }, server.tokens.expired);
    await until(() => page.live.state === "stopped", "stopped");
    await new Promise((done) => setTimeout(done, 500)); // well past a backoff
    expect(socket.connections).toBe(1);
    expect(page.states).toEqual(["connecting", "stopped"]);
    expect(page.live.connections).toBe(0);
  });

  it("opens no socket after close(), even during a backoff", async () => {
    const socket = await proxy();
    const page = follow(socket.url, { backoffBaseMs: 200, random: () => 1 });
    await until(() => socket.subscribes === 1, "the subscription");
    socket.closePages(1001, "going away");
    await until(() => page.live.state === "retrying", "retrying");
    page.live.close();
    await new Promise((done) => setTimeout(done, 600));
    expect(socket.connections).toBe(1);
    expect(page.live.state).toBe("stopped");
  });
});

describe("SheetFollower", () => {
  /** Alice's sheet: the package's AutoSaver over SheetApi, the follower, live changes. */
  async function sheet(team: FollowedTeam | null = null, token = server.tokens.alice, api = new SheetApi(token, server.url)) {
    const me = await api.me();
    const saver = new AutoSaver(api, { ...period, debounceMs: 60_000, maxWaitMs: 60_000 });
    cleanups.push(() => saver.close());
    await saver.load();
    const reads: number[] = [];
    const added: SheetGoal[] = [];
    const follower = new SheetFollower({
      saver,
      meId: me.id,
      loadGoals: () => {
        reads.push(Date.now());
        return api.goals(period.orgSlug, period.periodId);
      },
      onNewGoal: (goal) => added.push(goal),
      team: () => team,
    });
    cleanups.push(() => {
      follower.close();
    });
    saver.subscribe(() => {
      follower.wake(); // as the sheet does: a save came back
    });
    const socket = await proxy();
    const page = follow(
      socket.url,
      {
        onNotice: (notice) => {
          page.notices.push(notice);
          follower.notice(notice);
        },
        onResync: () => {
          follower.resync();
        },
      },
      token,
    );
    await until(() => socket.subscribes === 1, "the subscription");
    return { saver, follower, reads, added, page };
  }

  it("follows a change made elsewhere, and its own saves cost no read", async () => {
    const goal = await created("Before the sheet opened");
    const { saver, reads, page } = await sheet();

    await retitled(goal, 1, "Changed on her laptop");
    await until(() => saver.state(goal.clientId).version === 2, "the change followed");
    expect(saver.state(goal.clientId).goal).toMatchObject({ title: "Changed on her laptop" });
    expect(reads).toHaveLength(1);

    saver.edit(goal.clientId, "PERFORMANCE", { title: "Typed here" });
    await saver.flush();
    await until(noticeOf(page, goal.id, 3), "the notice of its own save");
    await new Promise((done) => setTimeout(done, 300));
    expect(reads).toHaveLength(1); // version 3 is the saver's already
  });

  it("reads a change made elsewhere once the save in flight is back", async () => {
    const mine = await created("Saved here");
    const theirs = await created("Changed elsewhere meanwhile");
    let answer = (): void => undefined;
    const held = new Promise<void>((done) => (answer = done));
    /** The page's API, its save's answer held until the test lets it through. */
    class HeldApi extends SheetApi {
      override async batchSaveGoals(...args: Parameters<SheetApi["batchSaveGoals"]>) {
        await held;
        return super.batchSaveGoals(...args);
      }
    }
    const { saver, reads, page } = await sheet(null, server.tokens.alice, new HeldApi(server.tokens.alice, server.url));
    saver.edit(mine.clientId, "PERFORMANCE", { title: "Typed here" });
    const flushed = saver.flush();
    await until(() => saver.sending, "the save in flight");

    await retitled(theirs, 1, "Changed on her laptop");
    await until(noticeOf(page, theirs.id, 2), "the notice");
    await new Promise((done) => setTimeout(done, 200));
    expect(reads).toEqual([]); // its answer may bring that version: wait for it

    answer();
    await flushed;
    await until(() => saver.state(theirs.clientId).version === 2, "the change read after the save");
    expect(reads).toHaveLength(1);
  });

  it("shows a goal created elsewhere and forgets one deleted elsewhere", async () => {
    const gone = await created("Deleted elsewhere");
    const { saver, added } = await sheet();

    const goal = await created("Created in another tab");
    await until(() => added.some((g) => g.id === goal.id), "the new goal");
    expect(saver.has(goal.clientId)).toBe(true);

    await save({ ...gone, expectedVersion: 1, delete: true });
    await until(() => !saver.has(gone.clientId), "the deleted goal forgotten");
  });

  it("holds edits waiting in a version conflict at once", async () => {
    const goal = await created("Before the edit");
    const { saver } = await sheet();
    saver.edit(goal.clientId, "PERFORMANCE", { weight: 42 }); // waits: the debounce is long

    await retitled(goal, 1, "Changed elsewhere");
    await until(() => saver.state(goal.clientId).conflict !== undefined, "the conflict");
    expect(saver.state(goal.clientId)).toMatchObject({ state: "error", unsaved: { weight: 42 } });
    expect(saver.state(goal.clientId).conflict).toMatchObject({ version: 2, title: "Changed elsewhere" });
  });

  it("reads the team view again when a report's goal changes past the version it shows", async () => {
    const goal = await created("A report's goal"); // alice's: carol supervises her
    const shown = new Map<string, number>([[goal.id, 1]]);
    let refreshes = 0;
    const team: FollowedTeam = {
      versionOf: (goalId) => shown.get(goalId),
      busy: false,
      refresh: () => {
        refreshes += 1;
        return Promise.resolve();
      },
    };
    const carol = await sheet(team, server.tokens.carol);

    await retitled(goal, 1, "Changed by alice");
    await until(() => refreshes === 1, "the team view read again");

    shown.set(goal.id, 3); // the view has the next change already (its own decision's answer)
    await retitled(goal, 2, "Changed again");
    await until(noticeOf(carol.page, goal.id, 3), "the notice");
    await new Promise((done) => setTimeout(done, 300));
    expect(refreshes).toBe(1);
    expect(carol.reads).toEqual([]); // carol's own goals did not change
  });
});
