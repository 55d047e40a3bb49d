/**
 * What a page (the goal sheet) needs of the AutoSaver besides `load()` and edits, against the
 * real server (test/server.ts): `flushOnHide` with fetch's keepalive, `track`, the page's own
 * live changes handed over with `changedElsewhere`, `sending`, and `restore` after the page's
 * own read of the goals (docs/autosave.md).
 */
import { describe, expect, inject, it } from "vitest";

import WebSocket from "ws";

import { AutoSaver, GoalpostClient, type AutoSaveEvent, type Goal, type GoalBatchItemInput } from "../src/index.js";
import { VirtualClock } from "./virtual-clock.js";
import { MemoryStorage } from "./memory-storage.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };

interface SentBatch {
  readonly items: GoalBatchItemInput[];
  readonly keepalive: boolean;
}

/**
 * A client whose fetch records each batchSaveGoals (its items and keepalive flag) as it is
 * called; `hold()` keeps the next one from the server until the returned release is called, and
 * `loseNext()` lets the next one commit but loses its answer.
 */
function recordingClient(): {
  client: GoalpostClient;
  sent: SentBatch[];
  hold: () => () => void;
  loseNext: () => void;
} {
  const sent: SentBatch[] = [];
  let gate: Promise<void> | null = null;
  let lose = false;
  const recording: typeof fetch = async (input, init) => {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "{}") as {
      variables?: { input?: { items?: GoalBatchItemInput[] } };
    };
    const items = body.variables?.input?.items;
    if (!items) {
      return fetch(input, init);
    }
    sent.push({ items, keepalive: init?.keepalive === true });
    const waiting = gate;
    gate = null;
    await waiting;
    const response = await fetch(input, init);
    if (lose) {
      lose = false;
      throw new TypeError("fetch failed: the answer was lost");
    }
    return response;
  };
  const client = new GoalpostClient({ url: server.url, token: server.tokens.alice, fetch: recording, webSocketImpl: WebSocket });
  const hold = (): (() => void) => {
    let release = (): void => undefined;
    gate = new Promise((resolve) => {
      release = resolve;
    });
    return release;
  };
  const loseNext = (): void => {
    lose = true;
  };
  return { client, sent, hold, loseNext };
}


/** The caller's goal with this clientId, as the server has it now (what a page reads). */
async function serverGoal(client: GoalpostClient, clientId: string): Promise<Goal> {
  const goal = (await client.myGoals(period)).myGoals.find((g) => g.clientId === clientId);
  if (!goal) {
    throw new Error(`no goal ${clientId} on the server`);
  }
  return goal;
}

function events(saver: AutoSaver): AutoSaveEvent[] {
  const seen: AutoSaveEvent[] = [];
  saver.subscribe((event) => seen.push(event));
  return seen;
}

describe("AutoSaver for a page", () => {
  it("flushOnHide starts the request with keepalive before it returns, and applies its answer", async () => {
    const { client, sent, hold } = recordingClient();
    const saver = new AutoSaver(client, { ...period, debounceMs: 60_000 });
    const key = saver.add("CORE_VALUE", { coreValuePlan: "Saved on the way out" });
    expect(sent).toHaveLength(0); // the debounce window is far off

    saver.flushOnHide();
    expect(sent).toEqual([{ items: [{ clientId: key, coreValue: { coreValuePlan: "Saved on the way out" } }], keepalive: true }]);
    expect(saver.sending).toBe(true);
    await saver.settle();
    expect(saver.sending).toBe(false);
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 1 });

    // A request in flight (an ordinary one, without keepalive) is one at a time: the page's
    // last edit goes, with keepalive, as soon as its answer has come.
    saver.edit(key, "CORE_VALUE", { coreValuePlan: "Second" });
    const release = hold();
    void saver.flush();
    expect(sent.at(-1)).toMatchObject({ keepalive: false });
    saver.edit(key, "CORE_VALUE", { coreValuePlan: "Typed while it was in flight" });
    saver.flushOnHide();
    expect(sent).toHaveLength(2);
    release();
    await saver.settle();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toEqual({
      items: [{ clientId: key, id: saver.state(key).id, expectedVersion: 2, coreValue: { coreValuePlan: "Typed while it was in flight" } }],
      keepalive: true,
    });
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 3 });

    saver.flushOnHide(); // nothing pending: nothing sent, and no keepalive left over
    saver.edit(key, "CORE_VALUE", { coreValuePlan: "Fourth" });
    await saver.flush();
    expect(sent.map((s) => s.keepalive)).toEqual([true, false, true, false]);
    await saver.close();
    saver.flushOnHide(); // closed: nothing
    expect(sent).toHaveLength(4);
  });

  it("sends every request with keepalive when asked to (the goal sheet's way)", async () => {
    const { client, sent } = recordingClient();
    const saver = new AutoSaver(client, { ...period, debounceMs: 20, keepalive: true });
    saver.add("CORE_VALUE", { coreValuePlan: "Kept alive" });
    await saver.flush();
    expect(sent.map((s) => s.keepalive)).toEqual([true]);
    await saver.close();
  });

  it("tracks a goal read elsewhere and takes the changes a page's own live follower hands it", async () => {
    const { client: theirs } = recordingClient();
    const elsewhere = new AutoSaver(theirs, { ...period, debounceMs: 20 });
    const key = elsewhere.add("PERFORMANCE", { title: "Created in another tab" });
    await elsewhere.flush();

    const { client: mine, sent } = recordingClient();
    const here = new AutoSaver(mine, { ...period, debounceMs: 60_000 });
    const seen = events(here);
    expect(here.changedElsewhere(key, null)).toBe("later"); // not tracked
    expect(here.track(await serverGoal(mine, key))).toBe(key);
    expect(here.state(key)).toMatchObject({ state: "idle", version: 1 });
    expect(here.changedElsewhere(key, await serverGoal(mine, key))).toBe("known");

    elsewhere.edit(key, "PERFORMANCE", { title: "Retitled there" });
    await elsewhere.flush();
    expect(here.changedElsewhere(key, await serverGoal(mine, key))).toBe("followed");
    expect(seen.at(-1)).toMatchObject({ key, refreshed: true, goal: { title: "Retitled there", version: 2 } });
    expect(here.states().get(key)).toMatchObject({ state: "idle", version: 2 });

    // Edits waiting here meet a change made there: a conflict at once, marked as found live.
    here.edit(key, "PERFORMANCE", { title: "Mine" });
    elsewhere.edit(key, "PERFORMANCE", { title: "Theirs" });
    await elsewhere.flush();
    const current = await serverGoal(mine, key);
    expect(here.changedElsewhere(key, current)).toBe("conflict");
    expect(here.state(key)).toMatchObject({
      state: "error",
      message: "VERSION_CONFLICT: changed elsewhere (now version 3)",
      problem: { code: "VERSION_CONFLICT", live: true, current: { version: 3 } },
      conflict: { title: "Theirs" },
      unsaved: { title: "Mine" },
    });
    expect(here.changedElsewhere(key, current)).toBe("known"); // the same change again
    expect(sent).toHaveLength(0);

    here.resolveConflict(key, "mine");
    await here.flush();
    expect(here.state(key)).toMatchObject({ state: "saved", version: 4, goal: { title: "Mine" } });
    await Promise.all([here.close(), elsewhere.close()]);
    expect(here.changedElsewhere(key, null)).toBe("later"); // closed
  });

  it("takes the notice of its own write whose answer was lost, while newer edits wait, as no conflict", async () => {
    const { client, sent, loseNext } = recordingClient();
    const clock = new VirtualClock(); // the retry goes when the test says
    const { now, random, setTimer, clearTimer } = clock;
    const saver = new AutoSaver(client, { ...period, backoffBaseMs: 1000, now, random, setTimer, clearTimer });
    const key = saver.add("PERFORMANCE", { title: "Grow ARR" });
    await saver.flush();
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 1 });

    loseNext(); // the server saves the title; the page never hears back
    saver.edit(key, "PERFORMANCE", { title: "Grow ARR by 30%" });
    void saver.flush();
    await saver.settle();
    expect(saver.state(key)).toMatchObject({ state: "pending", version: 1, problem: { code: "NETWORK" } });
    saver.edit(key, "PERFORMANCE", { specificGoal: "Three enterprise deals" }); // typed on

    // The page's live changes bring the server's goal (version 2: that lost write) first.
    const seen = events(saver);
    expect(saver.changedElsewhere(key, await serverGoal(client, key))).toBe("followed");
    expect(saver.state(key)).toMatchObject({ state: "pending", version: 2, unsaved: { specificGoal: "Three enterprise deals" } });
    expect(seen.at(-1)).toMatchObject({ refreshed: true, goal: { version: 2 } });

    clock.advance(1000); // past the backoff of the lost request
    await saver.settle();
    expect(sent.at(-1)?.items).toEqual([
      { clientId: key, id: saver.state(key).id, expectedVersion: 2, performance: { specificGoal: "Three enterprise deals" } },
    ]);
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 3 });
    expect(await serverGoal(client, key)).toMatchObject({ title: "Grow ARR by 30%", specificGoal: "Three enterprise deals" });

    // One version on but not holding what was lost: someone else's write, a conflict.
    loseNext();
    saver.edit(key, "PERFORMANCE", { title: "Lost again" });
    void saver.flush();
    await saver.settle();
    saver.edit(key, "PERFORMANCE", { meansMethods: "Typed on" });
    const someoneElse = { ...(await serverGoal(client, key)), title: "Not what was lost" };
    expect(saver.changedElsewhere(key, someoneElse)).toBe("conflict");
    await saver.close();
  });

  it("sends at once a goal that had given up, once a live change shows its lost write was saved", async () => {
    const { client, sent, loseNext } = recordingClient();
    const clock = new VirtualClock();
    const { now, random, setTimer, clearTimer } = clock;
    const saver = new AutoSaver(client, { ...period, maxAttempts: 2, backoffBaseMs: 1000, now, random, setTimer, clearTimer });
    const key = saver.add("PERFORMANCE", { title: "Grow ARR" });
    await saver.flush();

    loseNext(); // written, answer lost
    saver.edit(key, "PERFORMANCE", { title: "Grow ARR by 30%" });
    void saver.flush();
    await saver.settle();
    saver.edit(key, "PERFORMANCE", { specificGoal: "Three enterprise deals" });
    loseNext(); // the resend meets that write (a conflict), and its answer is lost too
    clock.advance(1000);
    await saver.settle();
    expect(saver.state(key)).toMatchObject({ state: "error", version: 1, message: expect.stringContaining("gave up after 2 attempts") as string });

    expect(saver.changedElsewhere(key, await serverGoal(client, key))).toBe("followed");
    clock.advance(0);
    await saver.settle();
    expect(sent.at(-1)?.items).toEqual([
      { clientId: key, id: saver.state(key).id, expectedVersion: 2, performance: { specificGoal: "Three enterprise deals" } },
    ]);
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 3 });
    await saver.close();
  });

  it("retries a save whose answer was cut off (HTTP 200 without a whole GraphQL body)", async () => {
    let cutOff = 1;
    const cutting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init); // the server saves
      if (typeof init?.body === "string" && init.body.includes("batchSaveGoals") && cutOff-- > 0) {
        return new Response('{"data": {"batchSaveGo', { status: 200, headers: { "Content-Type": "application/json" } });
      }
      return response;
    };
    const client = new GoalpostClient({ url: server.url, token: server.tokens.alice, fetch: cutting });
    const clock = new VirtualClock();
    const { now, random, setTimer, clearTimer } = clock;
    const saver = new AutoSaver(client, { ...period, backoffBaseMs: 1000, now, random, setTimer, clearTimer });
    const key = saver.add("CORE_VALUE", { coreValuePlan: "Answered in half" });
    void saver.flush();
    await saver.settle();
    expect(saver.state(key)).toMatchObject({
      state: "pending",
      message: "NETWORK: HTTP 200 without GraphQL data (retrying)",
      problem: { code: "NETWORK", retryable: true },
    });
    clock.advance(1000);
    await saver.settle();
    expect(saver.state(key)).toMatchObject({ state: "saved", version: 1 }); // the create, idempotent
    await saver.close();
  });

  it("in live mode starts following when a page tracks the goals it read itself", async () => {
    const { client: theirs } = recordingClient();
    const elsewhere = new AutoSaver(theirs, { ...period, debounceMs: 20 });
    const key = elsewhere.add("PERFORMANCE", { title: "v1" });
    await elsewhere.flush();

    const { client: mine } = recordingClient();
    const live = new AutoSaver(mine, { ...period, live: true });
    const seen = events(live);
    live.track(await serverGoal(mine, key));
    // The subscription starts on the server a little after track(): edit elsewhere until the
    // live saver hears of a change (each edit is a new version).
    for (let edit = 2; edit < 40 && !seen.some((e) => e.refreshed); edit += 1) {
      elsewhere.edit(key, "PERFORMANCE", { title: `v${String(edit)}` });
      await elsewhere.flush();
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(seen.find((e) => e.refreshed)).toMatchObject({ key, goal: { __typename: "PerformanceGoal" } });
    await Promise.all([live.close(), elsewhere.close()]);
    expect(live.live).toMatchObject({ connections: 1, error: null }); // heard, not read on a reconnection
    await mine.close();
  });

  it("restores kept edits after a page's own read of the goals, and sends them at once", async () => {
    const storage = new MemoryStorage();
    const storageKey = `test.sheet.${String(Date.now())}`;
    const { client: setup } = recordingClient();
    const first = new AutoSaver(setup, { ...period, debounceMs: 20 });
    const existing = first.add("PERFORMANCE", { title: "On the server" });
    await first.close();

    // A page that saved nothing before it went: its edits are only in storage.
    const offline = new GoalpostClient({
      url: server.url,
      token: server.tokens.alice,
      fetch: () => Promise.reject(new TypeError("offline")),
    });
    const clock = new VirtualClock(); // never advanced: nothing is sent
    const { now, random, setTimer, clearTimer } = clock;
    const gone = new AutoSaver(offline, { ...period, storage, storageKey, now, random, setTimer, clearTimer });
    gone.track(await serverGoal(setup, existing));
    gone.edit(existing, "PERFORMANCE", { title: "Edited before the page went" });
    const created = gone.add("CORE_VALUE", { coreValuePlan: "Created before the page went" });

    const { client, sent } = recordingClient();
    const page = new AutoSaver(client, { ...period, storage, storageKey, debounceMs: 60_000 });
    const goals = (await client.myGoals(period)).myGoals;
    for (const goal of goals) {
      page.track(goal);
    }
    expect((await page.restore()).sort()).toEqual([created, existing].sort());
    expect(page.state(existing)).toMatchObject({ state: "saving", version: 1 });
    await page.settle();
    expect(sent).toHaveLength(1); // at once, not after the minute of debounce
    expect(page.states().get(existing)).toMatchObject({ state: "saved", version: 2 });
    expect(page.states().get(created)).toMatchObject({ state: "saved", version: 1 });
    expect(await serverGoal(client, existing)).toMatchObject({ title: "Edited before the page went" });
    expect(storage.length).toBe(0);
    await page.close();
  });
});
