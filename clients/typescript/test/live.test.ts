/**
 * LiveChanges (src/live.ts) against the real server (test/server.ts), through a WebSocket proxy
 * that closes the client's socket as a server or a network would: catch-up from the cursor
 * after a reconnection, at once after LIVE_OVERFLOW, a read of everything without a cursor or
 * with one the server refuses, a refused token stops (docs/live.md).
 */
import { afterEach, describe, expect, it } from "vitest";

import { cleanups, created, follow, noticeOf, proxy, retitled, server, until } from "./live-helpers.js";

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

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
    expect(page.live.error).toMatchObject({ code: "UNAUTHENTICATED" });
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
