/** GoalpostClient against the real server (test/server.ts): typed results, queries, live
 * changes over graphql-transport-ws, and request-level errors as GoalpostError. */
import { randomUUID } from "node:crypto";

import { afterEach, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";

import { GoalpostClient, GoalpostError, type GoalChangeNotice, type GoalSaveResult } from "../src/index.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };
const clients: GoalpostClient[] = [];

function client(token = server.tokens.alice): GoalpostClient {
  const made = new GoalpostClient({ url: server.url, token, webSocketImpl: WebSocket });
  clients.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function key(name: string): string {
  return `${name}-${randomUUID()}`;
}

/** The result's one-line summary: what a UI would show, reached only through the union's
 * discriminant (so the test also proves the fields are typed per member). */
function describeResult(result: GoalSaveResult): string {
  switch (result.__typename) {
    case "GoalSaved":
      return `saved ${result.goal.__typename} v${String(result.goal.version)}`;
    case "GoalDeleted":
      return `deleted ${result.id}`;
    case "GoalValidationFailed":
      return `invalid ${result.fieldErrors.map((e) => e.field).join(",")}`;
    case "GoalVersionConflict":
      return `conflict v${String(result.current.version)}`;
    case "GoalNotFound":
    case "GoalNotEditable":
    case "GoalSaveFailed":
      return result.code;
  }
}

describe("GoalpostClient", () => {
  it("saves a mixed batch and types every result by __typename", async () => {
    const payload = await client().batchSaveGoals({
      ...period,
      items: [
        { clientId: key("perf"), performance: { title: "Grow ARR", weight: 10 } },
        { clientId: key("core"), coreValue: { coreValuePlan: "Say it plainly", weight: 5 } },
        { clientId: key("long"), performance: { title: "x".repeat(201) } },
        { clientId: key("ghost"), id: randomUUID(), performance: { title: "gone" } },
      ],
    });

    expect(payload.results.map(describeResult)).toEqual([
      "saved PerformanceGoal v1",
      "saved CoreValueGoal v1",
      "invalid performance.title",
      "NOT_FOUND",
    ]);
    expect([payload.savedCount, payload.failedCount]).toEqual([2, 2]);
    const invalid = payload.results[2];
    expect(invalid?.__typename === "GoalValidationFailed" && invalid.code).toBe("VALIDATION_FAILED");
    const saved = payload.results[0];
    if (saved?.__typename !== "GoalSaved" || saved.goal.__typename !== "PerformanceGoal") {
      throw new Error(`not a saved performance goal: ${JSON.stringify(saved)}`);
    }
    expect([saved.created, saved.goal.title, saved.goal.weight]).toEqual([true, "Grow ARR", 10]);
  });

  it("reads the caller's goals and the change feed", async () => {
    const alice = client();
    const clientId = key("mine");
    const saved = (await alice.batchSaveGoals({ ...period, items: [{ clientId, coreValue: { coreValuePlan: "Listen" } }] }))
      .results[0];
    if (saved?.__typename !== "GoalSaved") {
      throw new Error(`not saved: ${JSON.stringify(saved)}`);
    }

    const mine = await alice.myGoals({ ...period, category: "CORE_VALUE" });
    const goal = mine.myGoals.find((g) => g.clientId === clientId);
    expect(goal?.__typename === "CoreValueGoal" && goal.coreValuePlan).toBe("Listen");
    expect(mine.myGoals.every((g) => g.category === "CORE_VALUE")).toBe(true);

    let page = await alice.goalChanges(period);
    const events = [...page.events];
    while (page.hasMore) {
      page = await alice.goalChanges({ ...period, after: page.cursor });
      events.push(...page.events);
    }
    expect(events.filter((e) => e.goalId === saved.goal.id).map((e) => e.kind)).toEqual(["CREATED"]);
  });

  it("types a review's results, and asks getToken for the token", async () => {
    const carol = new GoalpostClient({ url: server.url, getToken: () => Promise.resolve(server.tokens.carol) });
    const payload = await carol.reviewGoals({
      ...period,
      items: [{ clientId: "r-1", goalId: randomUUID(), decision: "APPROVE" }],
    });
    expect(payload.results.map((r) => r.__typename)).toEqual(["GoalNotFound"]);
    expect([payload.reviewedCount, payload.failedCount]).toEqual([0, 1]);
  });

  it("sees over goalChanged a save made over HTTP", async () => {
    const alice = client();
    const notices = alice.goalChanged(period);
    const seen: GoalChangeNotice[] = [];
    const reading = (async () => {
      for await (const notice of notices) {
        seen.push(notice);
        if (seen.length >= 1) {
          return;
        }
      }
    })();
    // The subscription starts on the server some time after the socket opens; a notice is a
    // poke after commit, so save until the first one arrives (a goal per attempt).
    const ids: string[] = [];
    for (let attempt = 0; attempt < 50 && seen.length === 0; attempt += 1) {
      const result = (await alice.batchSaveGoals({ ...period, items: [{ clientId: key("live"), coreValue: { coreValuePlan: "Live" } }] }))
        .results[0];
      if (result?.__typename === "GoalSaved") {
        ids.push(result.goal.id);
      }
      await Promise.race([reading, new Promise((done) => setTimeout(done, 200))]);
    }
    await reading;

    const notice = seen[0];
    expect(notice?.kind).toBe("CREATED");
    expect(ids).toContain(notice?.goalId);
    expect(notice?.version).toBe(1);
  });

  it("ends a goalChanged loop waiting for its next notice when the signal aborts", async () => {
    const stop = new AbortController();
    const notices: GoalChangeNotice[] = [];
    const reading = (async () => {
      for await (const notice of client().goalChanged({ ...period, signal: stop.signal })) {
        notices.push(notice);
      }
      return "ended";
    })();
    await new Promise((done) => setTimeout(done, 200)); // subscribed, nothing changes
    stop.abort();
    expect(await Promise.race([reading, new Promise((done) => setTimeout(done, 5000))])).toBe("ended");
    expect(notices).toEqual([]);
  });

  it.each([
    ["an expired token", server.tokens.expired],
    ["a malformed token", "not-a-token"],
  ])("refuses %s with GoalpostError UNAUTHENTICATED", async (_, token) => {
    const error: unknown = await client(token).myGoals(period).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoalpostError);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", retryable: false });
  });

  it("ends a subscription with a refused token as GoalpostError UNAUTHENTICATED", async () => {
    const error: unknown = await (async () => {
      for await (const notice of client(server.tokens.expired).goalChanged(period)) {
        return notice;
      }
      return undefined;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoalpostError);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
