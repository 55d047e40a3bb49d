/** The goal sheet's review queue (sheet/review-queue.ts) against the real server: decisions of
 * one cycle go out as one `reviewGoals` request, each result reaches its goal, and decisions not
 * answered survive in storage until a later page sends them. Only decisions the server refuses
 * are made here (conflicts, unknown goals), so the shared demo data stays as it is. */
import { randomUUID } from "node:crypto";

import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import { GoalpostClient, GoalpostError, TabStorage } from "../src/index.js";
import { TeamGoalsDocument, type TeamGoalsQuery } from "../sheet/generated/graphql.js";
import {
  ReviewQueue,
  isStoredDecision,
  type DecisionState,
  type ReviewOutcome,
  type SendDecisions,
  type StoredDecision,
} from "../sheet/review-queue.js";
import { MemoryStorage } from "./memory-storage.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };
const carol = new GoalpostClient({ url: server.url, token: server.tokens.carol });

type TeamGoal = TeamGoalsQuery["organization"]["period"]["teamGoals"][number];
let teamGoals: TeamGoal[] = [];

beforeAll(async () => {
  const data = await carol.execute(TeamGoalsDocument, { slug: server.orgSlug, periodId: server.periodId });
  teamGoals = data.organization.period.teamGoals;
});


interface Recorded {
  readonly queue: ReviewQueue;
  readonly requests: StoredDecision[][];
  readonly states: [string, DecisionState, string | undefined][];
  readonly results: Map<string, ReviewOutcome>;
}

const queues: ReviewQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
});

function recordedQueue(options: { storage?: TabStorage<StoredDecision>; send?: SendDecisions } = {}): Recorded {
  const requests: StoredDecision[][] = [];
  const states: Recorded["states"] = [];
  const results = new Map<string, ReviewOutcome>();
  const send = options.send ?? ((items, requestOptions) => carol.reviewGoals({ ...period, items }, requestOptions));
  const queue = new ReviewQueue({
    send: (items, requestOptions) => {
      requests.push(items);
      return send(items, requestOptions);
    },
    onState: (goalId, state, message) => states.push([goalId, state, message]),
    onResult: (goalId, outcome) => results.set(goalId, outcome),
    storage: options.storage ?? null,
    debounceMs: 20,
    maxWaitMs: 200,
  });
  queues.push(queue);
  return { queue, requests, states, results };
}

function storageKey(): string {
  return `goalpost.review.v1.test.${randomUUID()}`;
}

describe("ReviewQueue", () => {
  it("sends the decisions of one cycle as one request, and each result to its goal", async () => {
    const first = teamGoals.find((g) => g.status === "SUBMITTED");
    const second = teamGoals.find((g) => g.status === "DRAFT");
    if (!first || !second) {
      throw new Error("the demo data has no submitted or no draft team goal");
    }
    const { queue, requests, states, results } = recordedQueue();
    const unknown = randomUUID();
    queue.decide({ id: first.id, version: first.version - 1 }, "APPROVE"); // stale: a conflict
    queue.decide(second, "RETURN", "Name a target"); // a draft: not reviewable
    queue.decide({ id: unknown, version: 1 }, "APPROVE");
    queue.decide({ id: unknown, version: 2 }, "RETURN", "Replaced"); // replaces the one before
    expect(queue.size).toBe(3);
    expect(queue.decisionOn(unknown)).toBe("RETURN");

    await new Promise((done) => setTimeout(done, 100)); // the debounce, then the request
    await queue.flush();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.map((item) => [item.goalId, item.decision, item.expectedVersion])).toEqual([
      [first.id, "APPROVE", first.version - 1],
      [second.id, "RETURN", second.version],
      [unknown, "RETURN", 2],
    ]);
    const conflict = results.get(first.id);
    expect(conflict?.__typename).toBe("GoalVersionConflict");
    expect(conflict?.__typename === "GoalVersionConflict" && conflict.current.version).toBe(first.version);
    expect(conflict?.item.decision).toBe("APPROVE");
    expect(results.get(second.id)).toMatchObject({ __typename: "GoalNotReviewable", status: "DRAFT" });
    expect(results.get(unknown)?.__typename).toBe("GoalNotFound");
    expect(queue.size).toBe(0);
    expect(states.filter(([goalId]) => goalId === unknown).map(([, state]) => state)).toEqual([
      "pending",
      "pending",
      "sending",
    ]);
  });

  it("keeps decisions a failed request did not send, stored, until a later page sends them", async () => {
    const storage = new MemoryStorage();
    const key = storageKey();
    const goalId = randomUUID();
    const offline = recordedQueue({
      storage: new TabStorage<StoredDecision>(storage, key, isStoredDecision),
      send: () => Promise.reject(new GoalpostError("server unreachable", { code: "NETWORK" })),
    });
    offline.queue.decide({ id: goalId, version: 3 }, "RETURN", "Why");
    await offline.queue.flush();
    expect(offline.states.at(-1)).toEqual([goalId, "error", "Not sent: server unreachable"]);
    expect(offline.results.size).toBe(0);
    await offline.queue.close();
    expect(offline.queue.size).toBe(1); // what the sheet reports as unsent
    expect(storage.records()).toMatchObject([{ goalId, decision: "RETURN", comment: "Why", expectedVersion: 3 }]);

    const later = recordedQueue({ storage: new TabStorage<StoredDecision>(storage, key, isStoredDecision) });
    await later.queue.restore();
    await later.queue.flush();
    expect(later.requests.map((items) => items.map((item) => item.goalId))).toEqual([[goalId]]);
    expect(later.results.get(goalId)?.__typename).toBe("GoalNotFound");
    expect(storage.records()).toEqual([]); // answered: nothing left to send
  });

  it("sends the decisions an earlier page kept under its shared key, and nothing else found there", async () => {
    const storage = new MemoryStorage();
    const key = storageKey();
    const goalId = randomUUID();
    const decision = { clientId: "decision-old-1", goalId, expectedVersion: null, decision: "APPROVE", comment: null };
    storage.setItem(key, JSON.stringify([decision, { goalId: "x", decision: "MAYBE" }, "junk"]));
    const { queue, requests, results } = recordedQueue({
      storage: new TabStorage<StoredDecision>(storage, key, isStoredDecision),
    });
    await queue.restore();
    await queue.flush();
    expect(requests).toEqual([[decision]]);
    expect(results.get(goalId)?.__typename).toBe("GoalNotFound");
    expect(storage.getItem(key)).toBeNull();
  });

  it("reports each decision of a request refused for good as failed, without keeping it", async () => {
    const goalId = randomUUID();
    const { queue, results } = recordedQueue({
      send: () => Promise.reject(new GoalpostError("period closed", { code: "PERIOD_CLOSED" })),
    });
    queue.decide({ id: goalId, version: 1 }, "APPROVE");
    await queue.flush();
    expect(results.get(goalId)).toMatchObject({ __typename: "RequestFailed", code: "PERIOD_CLOSED", message: "period closed" });
    expect(queue.size).toBe(0);
  });
});
