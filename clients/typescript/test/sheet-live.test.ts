/**
 * What the goal sheet does with live changes (sheet/live-sheet.ts's SheetFollower), with the
 * package's LiveChanges and AutoSaver against the real server (test/server.ts), through a
 * WebSocket proxy (test/live-helpers.ts) (docs/live.md).
 */
import { afterEach, describe, expect, it } from "vitest";

import { AutoSaver } from "../src/index.js";
import { SheetApi, type SheetGoal } from "../sheet/api.js";
import { SheetFollower, type FollowedTeam } from "../sheet/live-sheet.js";
import { cleanups, created, follow, noticeOf, period, proxy, retitled, save, server, until } from "./live-helpers.js";

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
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

  it("costs no read for its own delete whose notice comes before its answer", async () => {
    const goal = await created("Deleted here");
    let answer = (): void => undefined;
    const held = new Promise<void>((done) => (answer = done));
    /** The page's API, its save's answer (the delete is done on the server) held back. */
    class HeldApi extends SheetApi {
      override async batchSaveGoals(...args: Parameters<SheetApi["batchSaveGoals"]>) {
        const payload = await super.batchSaveGoals(...args);
        await held;
        return payload;
      }
    }
    const { saver, reads, page } = await sheet(null, server.tokens.alice, new HeldApi(server.tokens.alice, server.url));
    saver.delete(goal.clientId);
    const flushed = saver.flush();
    await until(() => page.notices.some((n) => n.goalId === goal.id && n.kind === "DELETED"), "the notice");

    answer();
    await flushed;
    expect(saver.has(goal.clientId)).toBe(false);
    await new Promise((done) => setTimeout(done, 300)); // a read would have gone by now
    expect(reads).toEqual([]);
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
