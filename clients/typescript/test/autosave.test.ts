/** AutoSaver against the real server (test/server.ts): one request per cycle, ids reconciled,
 * one invalid goal failing alone and retried alone (docs/autosave.md). */
import { describe, expect, inject, it, vi } from "vitest";

import WebSocket from "ws";

import { AutoSaver, GoalpostClient, type AutoSaveEvent, type GoalBatchItemInput } from "../src/index.js";
import { VirtualClock } from "./virtual-clock.js";
import { MemoryStorage } from "./memory-storage.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };

/** A client whose fetch records every batchSaveGoals request's items: requests are counted
 * where they leave, not inside the saver. */
function countingClient(): { client: GoalpostClient; batches: GoalBatchItemInput[][] } {
  const batches: GoalBatchItemInput[][] = [];
  const counting: typeof fetch = (input, init) => {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "{}") as {
      query?: string;
      variables?: { input?: { items: GoalBatchItemInput[] } };
    };
    if (body.query?.includes("batchSaveGoals") && body.variables?.input) {
      batches.push(body.variables.input.items);
    }
    return fetch(input, init);
  };
  const client = new GoalpostClient({ url: server.url, token: server.tokens.alice, fetch: counting, webSocketImpl: WebSocket });
  return { client, batches };
}


/** The first event of `saver` that `matches`, seen after this call. */
function nextEvent(saver: AutoSaver, matches: (e: AutoSaveEvent) => boolean): Promise<AutoSaveEvent> {
  return new Promise((resolve) => {
    const unsubscribe = saver.subscribe((e) => {
      if (matches(e)) {
        unsubscribe();
        resolve(e);
      }
    });
  });
}

/** `promise`'s value, or undefined if it has not come within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((done) => setTimeout(done, ms))]);
}

describe("AutoSaver", () => {
  it("saves ten edits across categories in one request, and retries only the invalid one", async () => {
    const { client, batches } = countingClient();
    const saver = new AutoSaver(client, { ...period, debounceMs: 50 });
    await saver.load();
    const events: AutoSaveEvent[] = [];
    saver.subscribe((e) => events.push(e));

    const perf = [0, 1, 2].map((i) => saver.add("PERFORMANCE", { title: `Goal ${String(i)}`, weight: 10 }));
    const comp = [0, 1, 2].map(() => saver.add("COMPETENCY", { actionPlan: "Pair weekly" }));
    const core = [0, 1, 2].map(() => saver.add("CORE_VALUE", {}));
    const bad = saver.add("PERFORMANCE", { title: "x".repeat(201) });
    // Edits to the same goals coalesce: the later value of a field wins.
    saver.edit(perf[0] ?? "", "PERFORMANCE", { title: "Grow ARR", goalType: "QUANTITATIVE" });
    saver.edit(comp[1] ?? "", "COMPETENCY", { actionPlan: "Mentor two juniors" });
    saver.edit(core[0] ?? "", "CORE_VALUE", { coreValuePlan: "Say it plainly" });
    saver.edit(core[1] ?? "", "CORE_VALUE", { coreValuePlan: "Listen first", weight: 5 });
    const good = [...perf, ...comp, ...core];
    expect(good.map((key) => saver.state(key).state)).toEqual(Array(9).fill("pending"));

    await saver.flush();

    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((item) => item.clientId)).toEqual([...good, bad]);
    expect(batches[0]?.[0]).toEqual({
      clientId: perf[0],
      performance: { title: "Grow ARR", weight: 10, goalType: "QUANTITATIVE" },
    });
    for (const key of good) {
      const state = saver.state(key);
      expect(state).toMatchObject({ state: "saved", version: 1 });
      expect(state.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(saver.state(bad)).toMatchObject({
      state: "error",
      problem: { code: "VALIDATION_FAILED", retryable: false },
    });
    expect(events.filter((e) => e.state === "error").map((e) => e.key)).toEqual([bad]);

    // The person fixes the invalid goal: the next request sends it alone, as a create.
    saver.edit(bad, "PERFORMANCE", { title: "Fixed" });
    await saver.flush();
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual([{ clientId: bad, performance: { title: "Fixed" } }]);
    expect(saver.state(bad)).toMatchObject({ state: "saved", version: 1 });

    // A saved create's later edit goes out as an update of its id, at its version.
    saver.edit(comp[0] ?? "", "COMPETENCY", { actionPlan: "Pair daily" });
    await saver.flush();
    expect(batches[2]).toEqual([
      { clientId: comp[0], id: saver.state(comp[0] ?? "").id, expectedVersion: 1, competency: { actionPlan: "Pair daily" } },
    ]);
    expect(saver.state(comp[0] ?? "")).toMatchObject({ state: "saved", version: 2 });

    const mine = await client.myGoals(period);
    const saved = mine.myGoals.filter((g) => [...good, bad].includes(g.clientId));
    expect(saved).toHaveLength(10);
    await saver.close();
  });

  it("sends an edit made while the goal's create is in flight as an update: never two goals", async () => {
    const { client, batches } = countingClient();
    const saver = new AutoSaver(client, { ...period, debounceMs: 50 });
    const key = saver.add("CORE_VALUE", { coreValuePlan: "First" });
    const flushed = saver.flush(); // the create is in flight now
    expect(saver.state(key).state).toBe("saving");
    saver.edit(key, "CORE_VALUE", { coreValuePlan: "Second" });
    await flushed;

    expect(batches).toHaveLength(2);
    const id = saver.state(key).id;
    expect(batches[1]).toEqual([{ clientId: key, id, expectedVersion: 1, coreValue: { coreValuePlan: "Second" } }]);
    const mine = (await client.myGoals({ ...period, category: "CORE_VALUE" })).myGoals.filter((g) => g.clientId === key);
    expect(mine.map((g) => (g.__typename === "CoreValueGoal" ? g.coreValuePlan : null))).toEqual(["Second"]);
    await saver.close();
  });

  it("loads the caller's goals and edits them as updates; deletes forget them", async () => {
    const { client, batches } = countingClient();
    const first = new AutoSaver(client, { ...period, debounceMs: 50 });
    const key = first.add("PERFORMANCE", { title: "To be loaded" });
    await first.close();

    const saver = new AutoSaver(client, { ...period, debounceMs: 50 });
    expect(await saver.load()).toContain(key);
    expect(saver.state(key)).toMatchObject({ state: "idle", version: 1 });
    saver.edit(key, "PERFORMANCE", { title: "Loaded and edited" });
    await saver.flush();
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 2 });

    saver.delete(key);
    await saver.flush();
    expect(saver.has(key)).toBe(false);
    expect(batches.at(-1)).toEqual([{ clientId: key, id: expect.any(String) as string, expectedVersion: 2, delete: true }]);
    await saver.close();
  });

  it("holds a goal changed elsewhere in a version conflict until the person decides", async () => {
    const { client, batches } = countingClient();
    const here = new AutoSaver(client, { ...period, debounceMs: 50 });
    const key = here.add("CORE_VALUE", { coreValuePlan: "Mine" });
    await here.flush();
    const elsewhere = new AutoSaver(client, { ...period, debounceMs: 50 });
    await elsewhere.load();
    elsewhere.edit(key, "CORE_VALUE", { coreValuePlan: "Theirs" });
    await elsewhere.flush();

    here.edit(key, "CORE_VALUE", { coreValuePlan: "Mine, edited" });
    await here.flush();
    const conflicted = here.state(key);
    expect(conflicted).toMatchObject({ state: "error", problem: { code: "VERSION_CONFLICT" }, conflict: { version: 2 } });
    expect(conflicted.unsaved).toEqual({ coreValuePlan: "Mine, edited" });

    const sent = batches.length;
    here.retry(key); // a conflict waits for its decision, not for a retry
    await here.flush();
    expect(batches).toHaveLength(sent);

    here.resolveConflict(key, "mine");
    await here.flush();
    expect(batches.at(-1)).toEqual([
      { clientId: key, id: conflicted.id, expectedVersion: 2, coreValue: { coreValuePlan: "Mine, edited" } },
    ]);
    expect(here.state(key)).toMatchObject({ state: "saved", version: 3 });
    await Promise.all([here.close(), elsewhere.close()]);
  });

  it("keeps unconfirmed edits in storage and sends them after a reload", async () => {
    const storage = new MemoryStorage();
    const { client, batches } = countingClient();
    const earlier = new AutoSaver(client, { ...period, debounceMs: 50 });
    const existing = earlier.add("PERFORMANCE", { title: "Saved before" });
    await earlier.close();

    // A page closed before its debounce ended: its timer never fires, nothing was sent.
    const closedPage = new AutoSaver(client, { ...period, storage, setTimer: () => 0, clearTimer: () => undefined });
    await closedPage.load();
    const created = closedPage.add("COMPETENCY", { actionPlan: "Typed before the reload" });
    closedPage.edit(existing, "PERFORMANCE", { title: "Edited before the reload" });
    const sentBefore = batches.length;
    expect(storage.length).toBe(1);

    const reloaded = new AutoSaver(client, { ...period, storage, debounceMs: 50 });
    expect(await reloaded.load()).toEqual(expect.arrayContaining([created, existing]));
    await reloaded.flush();

    expect(batches.slice(sentBefore)).toEqual([
      [
        { clientId: existing, id: reloaded.state(existing).id, expectedVersion: 1, performance: { title: "Edited before the reload" } },
        { clientId: created, competency: { actionPlan: "Typed before the reload" } },
      ],
    ]);
    expect(reloaded.state(created)).toMatchObject({ state: "saved", version: 1 });
    expect(reloaded.state(existing)).toMatchObject({ state: "saved", version: 2 });
    expect(storage.length).toBe(0); // everything confirmed: nothing left to keep
    await reloaded.close();
  });

  it("starts a cycle after debounceMs of quiet, or at maxWaitMs of continuous typing", async () => {
    const { client, batches } = countingClient();
    const clock = new VirtualClock();
    const saver = new AutoSaver(client, {
      ...period,
      debounceMs: 800,
      maxWaitMs: 5000,
      now: clock.now,
      random: clock.random,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    const key = saver.add("PERFORMANCE", { title: "T" });
    clock.advance(700);
    saver.edit(key, "PERFORMANCE", { title: "Ty" }); // restarts the quiet window
    clock.advance(700);
    await saver.settle();
    expect(batches).toHaveLength(0);
    clock.advance(100); // 800 ms after the last edit
    await saver.settle();
    expect(batches).toEqual([[{ clientId: key, performance: { title: "Ty" } }]]);

    // Typing that never pauses for 800 ms is saved every 5 s all the same.
    for (let typed = 1; typed <= 10; typed += 1) {
      saver.edit(key, "PERFORMANCE", { title: `Typing ${String(typed)}` });
      clock.advance(500);
      await saver.settle();
    }
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual([
      { clientId: key, id: saver.state(key).id, expectedVersion: 1, performance: { title: "Typing 10" } },
    ]);
    await saver.close();
  });

  it("resends after a lost answer, once the backoff is over, without a second goal", async () => {
    const batches: GoalBatchItemInput[][] = [];
    let loseNext = 1;
    // The request reaches the server and commits; its answer is lost on the way back.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = JSON.parse(typeof init?.body === "string" ? init.body : "{}") as {
        variables?: { input?: { items: GoalBatchItemInput[] } };
      };
      if (body.variables?.input) {
        batches.push(body.variables.input.items);
        if (loseNext > 0) {
          loseNext -= 1;
          throw new TypeError("fetch failed");
        }
      }
      return response;
    };
    const client = new GoalpostClient({ url: server.url, token: server.tokens.alice, fetch: losing });
    const clock = new VirtualClock();
    const saver = new AutoSaver(client, {
      ...period,
      backoffBaseMs: 1000,
      now: clock.now,
      random: clock.random,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    const key = saver.add("CORE_VALUE", { coreValuePlan: "Sent twice, saved once" });
    void saver.flush();
    await saver.settle();
    expect(batches).toHaveLength(1);
    expect(saver.state(key)).toMatchObject({ state: "pending", problem: { code: "NETWORK", retryable: true } });

    clock.advance(700); // the backoff: 1000 ms scaled by the jitter, 0.75 here
    await saver.settle();
    expect(batches).toHaveLength(1);
    clock.advance(50);
    await saver.settle();
    expect(batches).toHaveLength(2);
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 1 });
    expect(batches[1]).toEqual(batches[0]); // the same create: idempotent by clientId
    const mine = (await client.myGoals({ ...period, category: "CORE_VALUE" })).myGoals;
    expect(mine.filter((g) => g.clientId === key)).toHaveLength(1);
    await saver.close();
  });

  it("makes clientIds where crypto.randomUUID is missing (a page over plain HTTP)", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (bytes: Uint8Array<ArrayBuffer>) => real.getRandomValues(bytes) });
    try {
      const saver = new AutoSaver(countingClient().client, period);
      const keys = [saver.add("CORE_VALUE"), saver.add("CORE_VALUE")];
      expect(keys).toEqual([expect.stringMatching(/^tmp-[0-9a-f]{16}$/), expect.stringMatching(/^tmp-[0-9a-f]{16}$/)]);
      expect(keys[0]).not.toBe(keys[1]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("in live mode follows a goal changed elsewhere, and holds one with edits waiting in a conflict", async () => {
    const { client: aliceHere } = countingClient();
    const { client: aliceElsewhere, batches: elsewhereBatches } = countingClient();
    const elsewhere = new AutoSaver(aliceElsewhere, { ...period, debounceMs: 50 });
    const key = elsewhere.add("PERFORMANCE", { title: "v1" });
    await elsewhere.flush();

    const live = new AutoSaver(aliceHere, { ...period, debounceMs: 60_000, live: true });
    await live.load();
    expect(live.state(key)).toMatchObject({ version: 1 });

    // The subscription starts on the server a little after load(): edit elsewhere until the
    // live saver hears of a change (each edit is a new version).
    let refreshed: AutoSaveEvent | undefined;
    for (let edit = 2; edit < 40 && !refreshed; edit += 1) {
      const heard = nextEvent(live, (e) => e.key === key && e.refreshed);
      elsewhere.edit(key, "PERFORMANCE", { title: `v${String(edit)}` });
      await elsewhere.flush();
      refreshed = await within(heard, 250);
    }
    const version = elsewhere.state(key).version;
    expect(refreshed?.goal).toMatchObject({ __typename: "PerformanceGoal" });
    expect(live.state(key)).toMatchObject({ state: "idle", version });
    expect(live.state(key).goal).toMatchObject({ title: `v${String(version)}` });

    // Edits waiting here (the debounce is long) meet a change made elsewhere at once.
    live.edit(key, "PERFORMANCE", { title: "mine" });
    const conflict = nextEvent(live, (e) => e.key === key && e.state === "error");
    elsewhere.edit(key, "PERFORMANCE", { title: "theirs" });
    await elsewhere.flush();
    expect((await conflict).problem).toMatchObject({ code: "VERSION_CONFLICT", current: { title: "theirs" } });
    expect(live.requestsSent).toBe(0);

    live.resolveConflict(key, "theirs");
    expect(live.state(key)).toMatchObject({ state: "saved", unsaved: {} });
    expect(elsewhereBatches.length).toBeGreaterThan(1);
    await live.close();
    expect(live.live).toMatchObject({ connections: 1, error: null });
    await Promise.all([elsewhere.close(), aliceHere.close()]);
  });

  it("closes a live saver whose subscription has heard nothing", async () => {
    const { client } = countingClient();
    const live = new AutoSaver(client, { ...period, live: true });
    await live.load();
    await new Promise((done) => setTimeout(done, 300)); // let the subscription open
    expect(await within(live.close().then(() => "closed"), 5000)).toBe("closed");
    await client.close();
  });

  it("refuses at once, recording nothing, a patch of the wrong shape (plain JavaScript)", () => {
    const saver = new AutoSaver(countingClient().client, period);
    const key = saver.add("PERFORMANCE", { title: "Kept" });
    const untyped = saver as unknown as {
      add(category: string, patch: unknown): string;
      edit(key: string, category: string, patch: unknown): void;
    };
    expect(() => {
      untyped.edit(key, "PERFORMANCE", { actionPlan: "a competency field" });
    }).toThrow(RangeError);
    expect(() => {
      untyped.edit(key, "PERFORMANCE", { title: 5 });
    }).toThrow(TypeError);
    expect(() => {
      untyped.edit(key, "PERFORMANCE", { weight: "40" });
    }).toThrow(TypeError);
    expect(() => untyped.add("COMPETENCY", { selectedIdealActions: [{ competencyId: "c-1", actions: "all" }] })).toThrow(
      TypeError,
    );
    expect(() => untyped.add("OBJECTIVE", {})).toThrow(RangeError);
    // Left out (undefined) is unchanged; null clears.
    saver.edit(key, "PERFORMANCE", { title: undefined, weight: null });
    expect(saver.state(key).unsaved).toEqual({ title: "Kept", weight: null });
    expect(saver.keys()).toEqual([key]);
  });

  it("fails only the item a BAD_USER_INPUT names, and resends the others at once", async () => {
    const { client, batches } = countingClient();
    const saver = new AutoSaver(client, period);
    const good = saver.add("CORE_VALUE", { coreValuePlan: "Fine" });
    // An enum value the client cannot know is wrong: the server refuses the request, naming it.
    const bad = saver.add("PERFORMANCE", { goalType: "SOMEDAY" as "QUALITATIVE" });
    await saver.flush();

    expect(batches.map((items) => items.map((i) => i.clientId))).toEqual([[good, bad], [good]]);
    expect(saver.state(good)).toMatchObject({ state: "saved", version: 1 });
    expect(saver.state(bad)).toMatchObject({ state: "error", problem: { code: "BAD_USER_INPUT" } });
    expect(saver.state(bad).message).toMatch(/^BAD_USER_INPUT: performance\.goalType/);
    await saver.close();
  });
});
