/**
 * The AutoSaver's live mode (`live: true`) across dropped sockets, against the real server
 * through a WebSocket proxy (test/live-helpers.ts): once back, it catches up from its last
 * cursor with `goalChanges`, and reads no goal it has already (docs/autosave.md, "Live mode";
 * docs/live.md, "The clients"). Requests are counted by operationName where they leave.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";

import { AutoSaver, GoalpostClient, type AutoSaveEvent } from "../src/index.js";
import { SocketProxy, until } from "./live-helpers.js";
import { VirtualClock } from "./virtual-clock.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/** A client whose sockets go through `wsUrl`, recording each HTTP request's operationName. */
function countingClient(wsUrl: string, sent: string[]): GoalpostClient {
  return new GoalpostClient({
    url: server.url,
    wsUrl,
    token: server.tokens.alice,
    webSocketImpl: WebSocket,
    fetch: (input, init) => {
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as { operationName?: string }) : {};
      sent.push(body.operationName ?? "?");
      return fetch(input, init);
    },
  });
}

/** The first event of `saver` that `matches`, seen after this call; undefined after `ms`. */
function nextEvent(saver: AutoSaver, matches: (e: AutoSaveEvent) => boolean, ms: number): Promise<AutoSaveEvent | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, ms);
    const unsubscribe = saver.subscribe((e) => {
      if (matches(e)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(e);
      }
    });
  });
}

describe("AutoSaver live mode", () => {
  it("catches up from its cursor after a drop, with no re-read of every goal", async () => {
    const socket = await SocketProxy.start(server.url.replace(/^http/, "ws"));
    cleanups.push(() => socket.close());
    const elsewhere = new AutoSaver(new GoalpostClient({ url: server.url, token: server.tokens.alice }), {
      ...period,
      debounceMs: 60_000,
    });
    cleanups.push(() => elsewhere.close());
    const key = elsewhere.add("PERFORMANCE", { title: "v1" });
    await elsewhere.flush();

    const sent: string[] = [];
    // A backoff of about a second: the change below is made while the socket is down.
    const saver = new AutoSaver(countingClient(socket.url, sent), {
      ...period,
      debounceMs: 60_000,
      live: true,
      backoffBaseMs: 1000,
      random: () => 1,
    });
    cleanups.push(() => saver.close());
    await saver.load();
    await until(() => socket.subscribes === 1, "the subscription");

    // The subscription starts on the server a little after it is sent: edit elsewhere until
    // the saver hears of a change (and so has a cursor to catch up from).
    let heard: AutoSaveEvent | undefined;
    for (let edit = 2; edit < 40 && !heard; edit += 1) {
      const refreshed = nextEvent(saver, (e) => e.key === key && e.refreshed, 250);
      elsewhere.edit(key, "PERFORMANCE", { title: `v${String(edit)}` });
      await elsewhere.flush();
      heard = await refreshed;
    }
    expect(heard).toBeDefined();
    await until(() => saver.state(key).version === elsewhere.state(key).version, "the last change followed");

    // A drop, and a change made elsewhere while the socket is down.
    sent.length = 0;
    socket.closePages(1001, "going away");
    await until(() => socket.open === 0, "the drop");
    const followed = nextEvent(saver, (e) => e.key === key && e.refreshed, 10_000);
    elsewhere.edit(key, "PERFORMANCE", { title: "While it was down" });
    await elsewhere.flush();
    expect(await followed).toMatchObject({ goal: { title: "While it was down" } });
    expect(saver.state(key)).toMatchObject({ state: "idle", version: elsewhere.state(key).version });
    // Caught up from the cursor, then one read for the goal the caught-up change names.
    expect(sent).toEqual(["GoalChangesSince", "MyGoals"]);
    expect(socket.connections).toBe(2);
    expect(saver.live).toMatchObject({ connections: 2, error: null });

    // Another drop: the saver's own save while it is down is caught up too, and costs no read.
    sent.length = 0;
    socket.closePages(1001, "going away");
    await until(() => socket.open === 0, "the second drop");
    saver.edit(key, "PERFORMANCE", { title: "Saved here while it was down" });
    await saver.flush();
    await until(() => sent.includes("GoalChangesSince") && socket.subscribes === 3, "the second catch-up");
    await new Promise((done) => setTimeout(done, 300)); // a read would have gone by now
    expect(sent).toEqual(["BatchSaveGoals", "GoalChangesSince"]);
    expect(saver.state(key)).toMatchObject({ state: "saved", goal: { title: "Saved here while it was down" } });
    expect(saver.live).toMatchObject({ connections: 3, error: null });
  });

  it("reads every tracked goal again after a drop with no cursor to catch up from", async () => {
    const socket = await SocketProxy.start(server.url.replace(/^http/, "ws"));
    cleanups.push(() => socket.close());
    const elsewhere = new AutoSaver(new GoalpostClient({ url: server.url, token: server.tokens.alice }), {
      ...period,
      debounceMs: 60_000,
    });
    cleanups.push(() => elsewhere.close());
    const key = elsewhere.add("COMPETENCY", { actionPlan: "v1" });
    await elsewhere.flush();

    const sent: string[] = [];
    const saver = new AutoSaver(countingClient(socket.url, sent), { ...period, live: true, backoffBaseMs: 1000, random: () => 1 });
    cleanups.push(() => saver.close());
    await saver.load();
    await until(() => socket.subscribes === 1, "the subscription");

    sent.length = 0;
    socket.closePages(1001, "going away"); // before any notice: no cursor yet
    await until(() => socket.open === 0, "the drop");
    const followed = nextEvent(saver, (e) => e.key === key && e.refreshed, 10_000);
    elsewhere.edit(key, "COMPETENCY", { actionPlan: "While it was down" });
    await elsewhere.flush();
    expect(await followed).toMatchObject({ goal: { actionPlan: "While it was down" } });
    expect(sent).toEqual(["MyGoals"]);
    expect(saver.live).toMatchObject({ connections: 2, state: "live", error: null });
  });

  it("stops for good on a refused token, and says why", async () => {
    const client = new GoalpostClient({ url: server.url, token: server.tokens.expired, webSocketImpl: WebSocket });
    const saver = new AutoSaver(client, { ...period, live: true, backoffBaseMs: 50 });
    cleanups.push(() => saver.close());
    await saver.restore(); // starts live mode without reading the goals
    await until(() => saver.live?.state === "stopped", "stopped");
    expect(saver.live).toMatchObject({ connections: 0, error: { code: "UNAUTHENTICATED" } });
  });

  it("waits its reconnection backoff on the saver's clock, so virtual time drives it too", async () => {
    const socket = await SocketProxy.start(server.url.replace(/^http/, "ws"));
    cleanups.push(() => socket.close());
    const clock = new VirtualClock(1); // the full backoff: 1000 ms for the first retry
    const { now, random, setTimer, clearTimer } = clock;
    const saver = new AutoSaver(countingClient(socket.url, []), {
      ...period,
      live: true,
      backoffBaseMs: 1000,
      now,
      random,
      setTimer,
      clearTimer,
    });
    cleanups.push(() => saver.close());
    await saver.load();
    await until(() => socket.subscribes === 1, "the subscription");

    socket.closePages(1001, "going away");
    await until(() => socket.open === 0, "the drop");
    await new Promise((done) => setTimeout(done, 1500)); // real time past the backoff
    expect(socket.connections).toBe(1); // it waits on the saver's clock, not on real timers
    clock.advance(1000);
    await until(() => socket.connections === 2 && socket.subscribes === 2, "the reconnection");
    expect(saver.live).toMatchObject({ connections: 2, error: null });
  });
});
